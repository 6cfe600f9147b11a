-- Each activity up to the run date with the points it gave when it happened: its rule's points
-- (activity_rules), or what the type's cap left of them then (int_activity_caps), and how its
-- points fade (half-life, window). Decay to the run date is applied downstream.
-- A view: the rule's columns are constants per type, and few activities are capped, so writing
-- a copy of every activity (20,000,000 at a time) would cost more than this join each time it
-- is read (the nightly reads it for the people it recomputes).
{{ config(materialized='view') }}
with

activities as (
    select * from {{ ref('int_activities') }}
),

activity_rules as (
    select * from {{ ref('activity_rules') }}
),

caps as (
    select * from {{ ref('int_activity_caps') }}
),

final as (
    select
        activities.activity_id,
        activities.person_id,
        activities.activity_type,
        activity_rules.score_group,
        activities.source,
        activities.source_value,
        activities.actor_id,
        activities.occurred_at,
        activity_rules.is_lead_signal,
        activity_rules.points as rule_points,
        activity_rules.cap,
        activity_rules.half_life_days,
        activity_rules.window_days,
        coalesce(caps.points_given, {{ round_to('activity_rules.points', 9) }}) as points_given,
        caps.activity_id is not null as is_capped,
        activities.written_at
    from activities
    inner join activity_rules
        on activity_rules.activity_type = activities.activity_type
    left join caps
        on caps.activity_id = activities.activity_id
    where activities.occurred_at < {{ as_of_end() }}
)

select * from final
