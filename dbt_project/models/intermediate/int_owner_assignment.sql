-- Who owns each person from MQL on, and why (owner_reason, and owner_rule: the rule of the
-- routing file, routing.yml, that chose them). Below MQL leadflow leaves owners alone
-- (below_mql). In order:
--   manual_owner     a rep changed the owner in the CRM: respected, never overwritten;
--   (kept)           leadflow's earlier choice, while its owner is active and within the SLA,
--                    keeps its reason;
--   the file's rules, in order, the first that finds an owner:
--     current_owner  (sticky) an active sales rep already owning one of the person's records;
--     account_owner  the account's owner (Salesforce, else the HubSpot company's), active, not away;
--     territory, segment, round_robin: the turn of the rule's team (routing_rotation: weighted by
--                    capacity, skipping inactive owners, owners away and owners at capacity);
--   rerouted_breach  the owner missed the SLA (int_mql_sla): the next owner by the rules, anyone
--                    but them (nobody else: they keep it);
--   unassigned       no rule found anyone (or the team was at capacity).
-- A new owner must be one every record of the person can take: a person in both CRMs needs
-- an owner with a Salesforce user and a HubSpot owner (rotations are per team and pool).
with

people as (
    select * from {{ ref('int_people_unified') }}
),

fit as (
    select * from {{ ref('int_people_fit') }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

holders as (
    select * from {{ ref('int_routing_current_owners') }}
),

sla as (
    select * from {{ ref('int_mql_sla') }}
),

roster as (
    select * from {{ ref('int_routing_owners') }}
),

rotation_state as (
    select * from {{ ref('int_routing_rotation_state') }}
),

hubspot_companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

rules as (
    {{ routing_rules() }}
),

persons as (
    select
        people.person_id,
        lifecycle.lifecycle_stage,
        lifecycle.lifecycle_stage_order >= (select stage_order from lifecycle_stages where stage = 'mql')
            as is_mql_or_beyond,
        lifecycle.mql_last_entered_at as mql_at,
        {{ routing_pool('people.is_in_salesforce', 'people.is_in_hubspot') }} as rotation_pool,
        fit.region,
        people.country,
        {{ routing_segment('people.employee_count') }} as segment,
        coalesce(account_owners.owner_email, company_owners.owner_email) as account_owner_email,
        holders.manual_owner_email,
        coalesce(holders.has_assignment, false) as has_assignment,
        holders.assigned_owner_email,
        holders.assigned_reason,
        holders.assigned_rule,
        holders.assigned_team,
        holders.assigned_pool,
        holders.assigned_at,
        holders.assigned_sla_started_at,
        holders.crm_owner_email,
        holders.held_owner_email,
        coalesce(sla.is_reroute_due, false) as is_reroute_due,
        sla.breach_kind,
        coalesce(assigned.is_assignable, false) as is_assigned_owner_active
    from people
    inner join lifecycle
        on lifecycle.person_id = people.person_id
    inner join fit
        on fit.person_id = people.person_id
    left join holders
        on holders.person_id = people.person_id
    left join sla
        on sla.person_id = people.person_id
    left join roster as assigned
        on assigned.owner_email = holders.assigned_owner_email
    left join roster as account_owners
        on account_owners.owner_salesforce_user_id = people.account_owner_id
    left join hubspot_companies
        on hubspot_companies.hubspot_company_id = people.hubspot_company_id
    left join roster as company_owners
        on company_owners.owner_hubspot_owner_id = hubspot_companies.owner_id
),

paths as (
    select
        *,
        case
            when not is_mql_or_beyond then 'below_mql'
            when manual_owner_email is not null then 'manual'
            when is_reroute_due then 'reroute'
            when assigned_owner_email is not null and is_assigned_owner_active then 'kept'
            else 'route'
        end as path,
        case when is_reroute_due and manual_owner_email is null then held_owner_email end as excluded_owner_email
    from persons
),

-- Open MQLs each owner holds before this run (what capacity is measured against).
open_load as (
    select
        held_owner_email as owner_email,
        count(*) as open_mqls
    from paths
    where lifecycle_stage = 'mql' and held_owner_email is not null and path <> 'reroute'
    group by held_owner_email
),

{{ routing_member_pools('roster', 'member_pools') }},

levels as (
    select distinct rotation_team, rotation_pool, rotation_level
    from rotation_state
),

seats as (
    select
        member_pools.rotation_team,
        member_pools.rotation_pool,
        member_pools.owner_email,
        member_pools.weight,
        member_pools.capacity - coalesce(open_load.open_mqls, 0) as most_turns,
        coalesce(levels.rotation_level, 0) as rotation_level,
        {{ routing_seat_pass('rotation_state.rotation_pass', 'coalesce(levels.rotation_level, 0)', 'member_pools.weight') }}
            as base_pass
    from member_pools
    left join open_load
        on open_load.owner_email = member_pools.owner_email
    left join rotation_state
        on
            rotation_state.rotation_team = member_pools.rotation_team
            and rotation_state.rotation_pool = member_pools.rotation_pool
            and rotation_state.owner_email = member_pools.owner_email
    left join levels
        on levels.rotation_team = member_pools.rotation_team and levels.rotation_pool = member_pools.rotation_pool
    where member_pools.capacity is null or member_pools.capacity > coalesce(open_load.open_mqls, 0)
),

-- Each rule a person to route meets (regions, countries, segments), in the file's order.
options as (
    select
        person_id,
        rotation_pool,
        mql_at,
        excluded_owner_email,
        crm_owner_email,
        account_owner_email,
        unnest({{ routing_matching_rules('region', 'country', 'segment') }}) as rule_order
    from paths
    where path in ('route', 'reroute')
),

{{ routing_first_rules('options', 'roster', 'seats', 'chosen_rules') }},

queue as (
    select
        team as rotation_team,
        rotation_pool,
        person_id,
        mql_at as queued_at,
        excluded_owner_email
    from chosen_rules
    where direct_owner_email is null
),

{{ routing_rotation('queue', 'seats', 'rotated') }},

-- Capacity holds across rotations too: turns past an owner's room wait for the next run.
within_capacity as (
    {% call qualify("roster.capacity is null
        or row_number() over (
            partition by rotated.owner_email order by rotated.turn_at, rotated.rotation_team, rotated.rotation_pool, rotated.person_id
        ) <= roster.capacity - coalesce(open_load.open_mqls, 0)") -%}
    select rotated.*
    from rotated
    inner join roster
        on roster.owner_email = rotated.owner_email
    left join open_load
        on open_load.owner_email = rotated.owner_email
    {%- endcall %}
),

routed as (
    select
        chosen_rules.person_id,
        coalesce(chosen_rules.direct_owner_email, within_capacity.owner_email) as owner_email,
        chosen_rules.rule_name,
        chosen_rules.owner_reason,
        within_capacity.rotation_team,
        within_capacity.rotation_pool,
        within_capacity.rotation_pass,
        within_capacity.rotation_level
    from chosen_rules
    left join within_capacity
        on within_capacity.person_id = chosen_rules.person_id
),

decided as (
    select
        paths.person_id,
        paths.path,
        paths.mql_at,
        paths.has_assignment,
        paths.assigned_owner_email,
        paths.held_owner_email,
        paths.breach_kind,
        case paths.path
            when 'below_mql' then null
            when 'manual' then paths.manual_owner_email
            when 'kept' then paths.assigned_owner_email
            -- A breach nobody else can take stays with its owner (the SLA mart counts it).
            when 'reroute' then coalesce(routed.owner_email, paths.held_owner_email)
            else routed.owner_email
        end as owner_email,
        case
            when paths.path = 'below_mql' then 'below_mql'
            when paths.path = 'manual' then 'manual_owner'
            when paths.path = 'kept' then paths.assigned_reason
            when paths.path = 'reroute' and routed.owner_email is not null then 'rerouted_breach'
            when paths.path = 'reroute' then coalesce(paths.assigned_reason, 'current_owner')
            else coalesce(case when routed.owner_email is not null then routed.owner_reason end, 'unassigned')
        end as owner_reason,
        case
            when paths.path = 'manual' then 'manual'
            when paths.path = 'kept' then paths.assigned_rule
            when paths.path = 'reroute' and routed.owner_email is null then coalesce(paths.assigned_rule, 'sticky')
            else routed.rule_name
        end as owner_rule,
        case when paths.path = 'kept' then paths.assigned_team else routed.rotation_team end as owner_team,
        case when paths.path = 'kept' then paths.assigned_pool else routed.rotation_pool end as rotation_pool,
        routed.rotation_pass,
        routed.rotation_level,
        paths.assigned_at,
        paths.assigned_sla_started_at
    from paths
    left join routed
        on routed.person_id = paths.person_id
),

final as (
    select
        decided.person_id,
        roster.owner_salesforce_user_id,
        roster.owner_hubspot_owner_id,
        decided.owner_reason,
        decided.owner_email,
        decided.owner_rule,
        case when decided.rotation_pass is not null or decided.path = 'kept' then decided.owner_team end as owner_team,
        case when decided.rotation_pass is not null or decided.path = 'kept' then decided.rotation_pool end
            as rotation_pool,
        decided.rotation_pass,
        decided.rotation_level,
        decided.held_owner_email as previous_owner_email,
        case when decided.owner_reason = 'rerouted_breach' then decided.held_owner_email end as breached_owner_email,
        case when decided.owner_reason = 'rerouted_breach' then decided.breach_kind end as breach_kind,
        -- A new decision (or the first one leadflow records) is made now; a kept one keeps its time.
        decided.path <> 'below_mql'
        and (not decided.has_assignment or decided.owner_email is distinct from decided.assigned_owner_email)
            as is_reassigned,
        case
            when decided.path = 'below_mql' then null
            when decided.has_assignment and decided.owner_email is not distinct from decided.assigned_owner_email
                then decided.assigned_at
            else {{ routing_now() }}
        end as owner_assigned_at,
        case
            when decided.owner_email is null then null
            when decided.has_assignment and decided.owner_email is not distinct from decided.assigned_owner_email
                then decided.assigned_sla_started_at
            -- An owner found on the records had the person from the MQL on.
            when decided.owner_reason = 'current_owner' then decided.mql_at
            else greatest({{ routing_now() }}, decided.mql_at)
        end as sla_started_at
    from decided
    left join roster
        on roster.owner_email = decided.owner_email
)

select * from final
