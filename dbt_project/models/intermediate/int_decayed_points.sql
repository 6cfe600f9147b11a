-- What each person's activities give, summed per score group and fade (half-life, window) and
-- decayed to the run date of the build that computed the row (decayed_to); an activity with a
-- window keeps a row of its own (occurred_at), which counts until its window closes, and one
-- whose window had closed by then is left out. int_engagement_scores decays each row on to its
-- own run date: halving is multiplicative, so points decayed to decayed_to and then for the days
-- since are the points decayed to the run date (equal to the 9th decimal its sums are rounded to).
--
-- Kept up to date, not rebuilt: a person's rows change only when their activities or points do,
-- so the nightly recomputes the people touched since its last build (int_touched_people) and
-- decays everyone else's rows on read, not 20,000,000 activities a night.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
with

activities as (
    select * from {{ ref('int_activity_points') }}
),

aged as (
    select
        person_id,
        score_group,
        half_life_days,
        window_days,
        case when window_days is not null then occurred_at end as occurred_at,
        points_given,
        {{ seconds_between('occurred_at', as_of_end()) }} / 86400.0 as age_days
    from activities
    where
        points_given <> 0
        {% if is_incremental() -%}
        and {{ touched_activities_condition() }}
        {%- endif %}
),

final as (
    select
        person_id,
        score_group,
        half_life_days,
        window_days,
        occurred_at,
        {{ as_of_end() }} as decayed_to,
        sum({{ decayed('points_given', 'age_days', 'half_life_days', 'null') }}) as points
    from aged
    where window_days is null or age_days <= window_days
    group by person_id, score_group, half_life_days, window_days, occurred_at
)

select * from final
