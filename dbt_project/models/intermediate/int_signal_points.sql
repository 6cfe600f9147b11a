-- Per person, what field signals (int_field_signals) and negative rules (int_negative_signals)
-- give: the part of engagement that does not decay, so int_engagement_scores, rebuilt every
-- night for everyone, reads one row per person here rather than summing every signal again.
-- A person with neither has no row.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build,
-- as it recomputes their signals.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
{%- set recomputed -%}
    {%- if is_incremental() %} where {{ touched_people_condition() }}{% endif -%}
{%- endset %}
with

field_signals as (
    select * from {{ ref('int_field_signals') }}{{ recomputed }}
),

negative_signals as (
    select * from {{ ref('int_negative_signals') }}{{ recomputed }}
),

field_points as (
    select
        person_id,
        sum(points) as points
    from field_signals
    group by person_id
),

negative_points as (
    select
        person_id,
        sum(points) as points,
        {{ ordered_list('rule', 'rule') }} as rules
    from negative_signals
    group by person_id
),

final as (
    select
        coalesce(field_points.person_id, negative_points.person_id) as person_id,
        coalesce(field_points.points, 0) as field_points,
        coalesce(negative_points.points, 0) as negative_points,
        coalesce(negative_points.rules, {{ no_items('varchar') }}) as negative_rules
    from field_points
    full outer join negative_points
        on negative_points.person_id = field_points.person_id
)

select * from final
