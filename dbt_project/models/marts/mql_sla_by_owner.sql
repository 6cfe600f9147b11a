-- The MQL service level per owner (int_mql_sla, business hours): of the MQLs they held when
-- this run checked, the share accepted within sla_accept_hours and the share also worked within
-- sla_work_hours after that (scoring_settings), the median business hours, and the breaches:
-- those found this run and those re-routed away from them before (owner_assignments).
with

sla as (
    select * from {{ ref('int_mql_sla') }}
),

assignments as (
    select * from {{ ref('owner_assignments') }}
),

roster as (
    select * from {{ ref('int_routing_owners') }}
),

held as (
    select
        owner_email,
        count(*) as mqls,
        count(accepted_at) as accepted,
        {{ divide('count(*) filter (where is_accepted_in_time)', 'count(*)') }} as accepted_in_time_rate,
        {{ divide('count(*) filter (where is_worked_in_time)', 'count(*)') }} as worked_in_time_rate,
        {{ median('business_hours_to_accept') }} as median_business_hours_to_accept,
        {{ median('business_hours_to_work') }} as median_business_hours_to_work
    from sla
    group by owner_email
),

-- A breach is one person and owner, whether found now or re-routed in an earlier run.
breaches as (
    select owner_email, person_id from sla
    where breach_kind is not null
    union
    select breached_owner_email, person_id from assignments
    where owner_reason = 'rerouted_breach'
),

breach_counts as (
    select
        owner_email,
        count(*) as breaches
    from breaches
    group by owner_email
),

rerouted as (
    select
        breached_owner_email as owner_email,
        count(*) as rerouted_away
    from assignments
    where owner_reason = 'rerouted_breach'
    group by breached_owner_email
),

owners as (
    select owner_email from held
    union
    select owner_email from breach_counts
),

final as (
    select
        owners.owner_email,
        roster.owner_salesforce_user_id,
        roster.owner_hubspot_owner_id,
        roster.owner_name,
        coalesce(held.mqls, 0) as mqls,
        coalesce(held.accepted, 0) as accepted,
        held.accepted_in_time_rate,
        held.worked_in_time_rate,
        held.median_business_hours_to_accept,
        held.median_business_hours_to_work,
        coalesce(breach_counts.breaches, 0) as breaches,
        coalesce(rerouted.rerouted_away, 0) as rerouted_away
    from owners
    left join roster
        on roster.owner_email = owners.owner_email
    left join held
        on held.owner_email = owners.owner_email
    left join breach_counts
        on breach_counts.owner_email = owners.owner_email
    left join rerouted
        on rerouted.owner_email = owners.owner_email
)

select * from final
