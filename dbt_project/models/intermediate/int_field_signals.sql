-- Engagement the CRMs keep as fields rather than events, scored by the field_signal_rules seed:
-- page views HubSpot counted beyond the tracked page-view events and visits (points per unit,
-- capped), conversions HubSpot counted beyond the tracked form submissions, the name of the
-- most recent conversion, HubSpot's original source, Salesforce's LeadSource and DoNotCall.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build
-- (their person row or their tracked counts changed); everyone when field_signal_rules changes.
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

people as (
    select * from {{ ref('int_people_unified') }}
    {% if is_incremental() -%}
    where {{ touched_people_condition() }}
    {%- endif %}
),

tracked as (
    select * from {{ ref('int_tracked_counts') }}
    {% if is_incremental() -%}
    where {{ touched_people_condition() }}
    {%- endif %}
),

field_signal_rules as (
    select * from {{ ref('field_signal_rules') }}
),

signals as (
    select
        people.person_id,
        'untracked_page_views' as signal,
        '*' as signal_value,
        greatest(people.page_view_count - coalesce(tracked.tracked_views, 0), 0) as units
    from people
    left join tracked
        on tracked.person_id = people.person_id
    where people.page_view_count > 0
    union all
    select person_id, 'visits', '*', visit_count
    from people
    where visit_count > 0
    union all
    select
        people.person_id,
        'untracked_conversions',
        '*',
        greatest(people.conversion_event_count - coalesce(tracked.tracked_conversions, 0), 0)
    from people
    left join tracked
        on tracked.person_id = people.person_id
    where people.conversion_event_count > 0
    union all
    select person_id, 'recent_conversion', recent_conversion_event_name, 1
    from people
    where recent_conversion_event_name is not null
    union all
    select person_id, 'do_not_call', '*', 1
    from people
    where do_not_call
    union all
    select person_id, 'analytics_source', analytics_source, 1
    from people
    where analytics_source is not null
    union all
    select person_id, 'lead_source', lead_source, 1
    from people
    where lead_source is not null
),

-- The rule of the signal's own value wins over its '*' rule, whole (its points with its own
-- cap): two lookups, no window over every person's signals.
ruled as (
    select
        signals.*,
        case when own_rule.signal is not null then own_rule.points else any_rule.points end as rule_points,
        case when own_rule.signal is not null then own_rule.cap else any_rule.cap end as rule_cap
    from signals
    left join field_signal_rules as own_rule
        on
            own_rule.signal = signals.signal
            and own_rule.match_value = signals.signal_value
            and own_rule.match_value <> '*'
    left join field_signal_rules as any_rule
        on
            any_rule.signal = signals.signal
            and any_rule.match_value = '*'
    where own_rule.signal is not null or any_rule.signal is not null
),

final as (
    select
        person_id,
        signal,
        signal_value,
        units,
        case
            when rule_cap is null then units * rule_points
            else least(units * rule_points, rule_cap)
        end as points
    from ruled
)

select * from final
