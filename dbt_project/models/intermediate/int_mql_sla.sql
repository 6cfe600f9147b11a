-- The service level of each MQL's owner before this run decides (int_routing_current_owners):
-- sla_accept_hours to accept it (the first lead status change away from an open status of var
-- sla_open_statuses) and sla_work_hours more to work it (their first call, email or meeting),
-- counted in business hours of the owner's time zone (int_business_calendar). The clock starts
-- at the MQL, or when the owner got the person if later. A breach is detected at the moment
-- (routing_now) the build runs; a recent one, of an owner a rep did not choose by hand, on a
-- person still at MQL, is due for re-routing (routing file, section sla) while the MQL's re-routes
-- so far (owner_assignments as the previous run left it, read by name) are fewer than max_reroutes.
{%- set sla = routing_config().sla %}
{%- set zones = routing_time_zones() %}
with

holders as (
    select * from {{ ref('int_routing_current_owners') }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}
),

roster as (
    select * from {{ ref('int_routing_owners') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

status_changes as (
    select * from {{ ref('int_lead_status_changes') }}
),

previous_assignments as (
    {{ routing_previous_assignments() }}
),

-- Activities up to the run date, of a type activity_rules knows (as int_activity_points has
-- them), read without their points: no activity's id is read for the join with its cap.
activities as (
    select *
    from {{ ref('int_activities') }}
    where
        occurred_at < {{ as_of_end() }}
        and activity_type in (select activity_type from {{ ref('activity_rules') }})
),

working_days as (
    select * from calendar
    where working_seconds > 0
),

-- The run's moment on each owner's clock: once per owner, not once per MQL.
owner_clocks as (
    select
        roster.owner_email,
        {{ business_seconds('checked_day', routing_local(routing_now(), 'roster.time_zone')) }} as checked_second
    from roster
    left join calendar as checked_day
        on checked_day.owner_email = roster.owner_email
        and checked_day.local_date = cast({{ routing_local(routing_now(), 'roster.time_zone') }} as date)
),

-- Re-routes of the person's current MQL (a recycled person who comes back starts again at 0).
reroutes as (
    select
        previous_assignments.person_id,
        count(*) as reroutes
    from previous_assignments
    inner join lifecycle
        on lifecycle.person_id = previous_assignments.person_id
    where
        previous_assignments.owner_reason = 'rerouted_breach'
        and previous_assignments.assigned_at >= lifecycle.mql_last_entered_at
    group by previous_assignments.person_id
),

episodes as (
    select
        holders.person_id,
        holders.held_owner_email as owner_email,
        holders.held_by,
        coalesce(reroutes.reroutes, 0) as reroutes,
        roster.owner_salesforce_user_id,
        roster.owner_hubspot_owner_id,
        roster.time_zone,
        lifecycle.lifecycle_stage,
        lifecycle.mql_last_entered_at as mql_at,
        greatest(coalesce(holders.held_since, lifecycle.mql_last_entered_at), lifecycle.mql_last_entered_at)
            as sla_started_at
    from holders
    inner join lifecycle
        on lifecycle.person_id = holders.person_id
    inner join roster
        on roster.owner_email = holders.held_owner_email
    left join reroutes
        on reroutes.person_id = holders.person_id
    where lifecycle.mql_last_entered_at is not null
),

acceptances as (
    select
        status_changes.person_id,
        min(status_changes.changed_at) as accepted_at
    from status_changes
    where
        not status_changes.is_initial
        and (
            status_changes.previous_status is null
            or status_changes.previous_status in (
                {%- for status in var('sla_open_statuses') %}'{{ status }}'{{ ', ' if not loop.last }}{% endfor -%}
            )
        )
        and status_changes.lead_status not in (
            {%- for status in var('sla_open_statuses') %}'{{ status }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
    group by status_changes.person_id
),

worked as (
    select
        episodes.person_id,
        min(activities.occurred_at) as worked_at
    from episodes
    inner join activities
        on
            activities.person_id = episodes.person_id
            and activities.occurred_at >= episodes.sla_started_at
            and (
                left(activities.actor_id, 15) = left(episodes.owner_salesforce_user_id, 15)
                or activities.actor_id = episodes.owner_hubspot_owner_id
            )
    where activities.activity_type in ('sales_call', 'sales_email', 'meeting')
    group by episodes.person_id
),

-- Accepted before the clock started (sales faster than marketing, or a re-routed MQL already
-- accepted): accepted the moment it started. Nothing after the run's moment counts yet.
moments as (
    select
        episodes.*,
        case
            when acceptances.accepted_at <= {{ routing_now() }}
                then greatest(acceptances.accepted_at, episodes.sla_started_at)
        end as accepted_at,
        case when worked.worked_at <= {{ routing_now() }} then worked.worked_at end as worked_at,
        {{ routing_now() }} as checked_at,
        owner_clocks.checked_second
    from episodes
    inner join owner_clocks
        on owner_clocks.owner_email = episodes.owner_email
    left join acceptances
        on acceptances.person_id = episodes.person_id
    left join worked
        on worked.person_id = episodes.person_id
),

localized as (
    select
        *,
        {{ routing_local('sla_started_at', 'time_zone', zones) }} as local_started_at,
        {{ routing_local('accepted_at', 'time_zone', zones) }} as local_accepted_at,
        {{ routing_local('worked_at', 'time_zone', zones) }} as local_worked_at
    from moments
),

clocked as (
    select
        localized.*,
        {{ business_seconds('started_day', 'localized.local_started_at') }} as started_second,
        {{ business_seconds('accepted_day', 'localized.local_accepted_at') }} as accepted_second,
        {{ business_seconds('worked_day', 'localized.local_worked_at') }} as worked_second,
        {{ setting('sla_accept_hours') }} * 3600 as accept_limit,
        {{ setting('sla_work_hours') }} * 3600 as work_limit
    from localized
    left join calendar as started_day
        on started_day.owner_email = localized.owner_email
        and started_day.local_date = cast(localized.local_started_at as date)
    left join calendar as accepted_day
        on accepted_day.owner_email = localized.owner_email
        and accepted_day.local_date = cast(localized.local_accepted_at as date)
    left join calendar as worked_day
        on worked_day.owner_email = localized.owner_email
        and worked_day.local_date = cast(localized.local_worked_at as date)
),

targets as (
    select
        *,
        started_second + accept_limit as accept_target,
        accepted_second + work_limit as work_target
    from clocked
),

-- The due moments: the working day in which the target's business second falls. Looked up with
-- the few columns they need, then joined back: an asof join sorts every column it carries.
due_targets as (
    select person_id, owner_email, time_zone, accept_target, work_target
    from targets
),

due_moments as (
    select
        due_targets.person_id,
        {{ routing_utc(
            'accept_day.working_from + ' ~ seconds_of('due_targets.accept_target - accept_day.seconds_before'),
            'due_targets.time_zone',
            zones
        ) }} as accept_due_at,
        {{ routing_utc(
            'work_day.working_from + ' ~ seconds_of('due_targets.work_target - work_day.seconds_before'),
            'due_targets.time_zone',
            zones
        ) }} as work_due_at
    from due_targets
    {{ asof_left_join(
        'working_days', 'accept_day', 'accept_day.owner_email = due_targets.owner_email',
        'due_targets.accept_target > accept_day.seconds_before', 'accept_day.seconds_before'
    ) }}
    {{ asof_left_join(
        'working_days', 'work_day', 'work_day.owner_email = due_targets.owner_email',
        'due_targets.work_target > work_day.seconds_before', 'work_day.seconds_before'
    ) }}
),

due as (
    select
        targets.*,
        due_moments.accept_due_at,
        due_moments.work_due_at
    from targets
    inner join due_moments
        on due_moments.person_id = targets.person_id
),

judged as (
    select
        *,
        coalesce(accepted_second - started_second <= accept_limit, false) as is_accepted_in_time,
        coalesce(
            accepted_second - started_second <= accept_limit and worked_second - accepted_second <= work_limit, false
        ) as is_worked_in_time,
        -- Accepted at the due moment is in time; not accepted when it comes is a breach.
        case
            when accepted_second - started_second > accept_limit then 'accept'
            when accepted_second is null and checked_second - started_second >= accept_limit then 'accept'
            when worked_second - accepted_second > work_limit then 'work'
            when accepted_second is not null and worked_second is null and checked_second - accepted_second >= work_limit
                then 'work'
        end as breach_kind
    from due
),

final as (
    select
        person_id,
        owner_email,
        owner_salesforce_user_id,
        owner_hubspot_owner_id,
        held_by,
        mql_at,
        sla_started_at,
        accept_due_at,
        accepted_at,
        work_due_at,
        worked_at,
        (accepted_second - started_second) / 3600.0 as business_hours_to_accept,
        (worked_second - accepted_second) / 3600.0 as business_hours_to_work,
        is_accepted_in_time,
        is_worked_in_time,
        breach_kind,
        case breach_kind when 'accept' then accept_due_at when 'work' then work_due_at end as breached_at,
        reroutes,
        coalesce(
            {{ sla.reroute }}
            and breach_kind is not null
            and held_by <> 'manual'
            and lifecycle_stage = 'mql'
            and reroutes < {{ sla.max_reroutes }}
            and case breach_kind when 'accept' then accept_due_at when 'work' then work_due_at end
            >= checked_at - {{ days_of(sla.reroute_within_days) }},
            false
        ) as is_reroute_due
    from judged
)

select * from final
