-- Engagement the CRMs keep as fields rather than events, scored by the field_signal_rules seed:
-- page views HubSpot counted beyond the tracked page-view events and visits (points per unit,
-- capped), conversions HubSpot counted beyond the tracked form submissions, the name of the
-- most recent conversion, HubSpot's original source, Salesforce's LeadSource and DoNotCall.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

tracked as (
    select * from {{ ref('int_tracked_counts') }}
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

final as (
    select
        signals.person_id,
        signals.signal,
        signals.signal_value,
        signals.units,
        case
            when field_signal_rules.cap is null then signals.units * field_signal_rules.points
            else least(signals.units * field_signal_rules.points, field_signal_rules.cap)
        end as points
    from signals
    inner join field_signal_rules
        on
            field_signal_rules.signal = signals.signal
            and field_signal_rules.match_value in (signals.signal_value, '*')
    qualify row_number() over (
        partition by signals.person_id, signals.signal
        order by field_signal_rules.match_value = '*'
    ) = 1
)

select * from final
