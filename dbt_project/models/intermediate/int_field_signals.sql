-- Engagement the CRMs keep as fields rather than events, scored by the field_signal_rules seed:
-- page views HubSpot counted beyond the tracked page-view events (points per view, capped),
-- HubSpot's original source and Salesforce's LeadSource (points per value).
with

people as (
    select * from {{ ref('int_people_unified') }}
),

activities as (
    select * from {{ ref('int_activities') }}
),

field_signal_rules as (
    select * from {{ ref('field_signal_rules') }}
),

tracked_page_views as (
    select
        person_id,
        count(*) as tracked_views
    from activities
    where source = 'hubspot_web_event'
    group by person_id
),

signals as (
    select
        people.person_id,
        'untracked_page_views' as signal,
        '*' as signal_value,
        greatest(people.page_view_count - coalesce(tracked_page_views.tracked_views, 0), 0) as units
    from people
    left join tracked_page_views
        on tracked_page_views.person_id = people.person_id
    where people.page_view_count > 0
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
