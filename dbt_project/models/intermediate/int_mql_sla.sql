-- The service level sales gave each MQL: when the owner accepted it (the first lead status
-- change away from an open status of var sla_open_statuses - Salesforce "Open - Not
-- Contacted" per LeadHistory, HubSpot hs_lead_status NEW - at or after the MQL moment, or
-- before it if sales were faster than marketing) and when the owner first worked it (their
-- first call, email or meeting with the person from the MQL moment on).
with

people as (
    select * from {{ ref('people') }}
),

status_changes as (
    select * from {{ ref('int_lead_status_changes') }}
),

activities as (
    select * from {{ ref('int_activity_points') }}
),

mqls as (
    select
        person_id,
        mql_at,
        owner_salesforce_user_id,
        owner_hubspot_owner_id
    from people
    where mql_at is not null
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
        mqls.person_id,
        min(activities.occurred_at) as worked_at
    from mqls
    inner join activities
        on
            activities.person_id = mqls.person_id
            and activities.occurred_at >= mqls.mql_at
            and (
                left(activities.actor_id, 15) = left(mqls.owner_salesforce_user_id, 15)
                or activities.actor_id = mqls.owner_hubspot_owner_id
            )
    where activities.activity_type in ('sales_call', 'sales_email', 'meeting')
    group by mqls.person_id
),

final as (
    select
        mqls.person_id,
        mqls.owner_salesforce_user_id,
        mqls.mql_at,
        acceptances.accepted_at,
        worked.worked_at,
        date_diff('second', mqls.mql_at, greatest(acceptances.accepted_at, mqls.mql_at)) / 3600.0
            as hours_to_accept,
        date_diff('second', greatest(acceptances.accepted_at, mqls.mql_at), worked.worked_at) / 3600.0
            as hours_to_work,
        coalesce(
            acceptances.accepted_at <= mqls.mql_at + to_hours(cast({{ setting('sla_accept_hours') }} as bigint)),
            false
        ) as is_accepted_in_time,
        coalesce(
            acceptances.accepted_at <= mqls.mql_at + to_hours(cast({{ setting('sla_accept_hours') }} as bigint))
            and worked.worked_at <= greatest(acceptances.accepted_at, mqls.mql_at)
            + to_hours(cast({{ setting('sla_work_hours') }} as bigint)),
            false
        ) as is_worked_in_time
    from mqls
    left join acceptances
        on acceptances.person_id = mqls.person_id
    left join worked
        on worked.person_id = mqls.person_id
)

select * from final
