-- How the routing file would have assigned the people who became MQL in the last
-- var what_if_days days (default 30) and still are (or went further), replayed from a fresh
-- rotation, beside who owns them now.
-- Compiled each run from routing.yml; `leadflow route --what-if FILE` renders it again from FILE
-- (dbt show, nothing written). A rep's own choice stands; the owner found on the records when
-- leadflow first routed the person is the sticky candidate; owners away today sit out, as they
-- would if the file were adopted now. Capacity against open load and SLA re-routes, which
-- depend on each day, are left out: the replay shows the shares the rules and weights give.
-- One row per rule and owner (owner empty: nobody found).
-- A view, computed when read: nothing in a build reads it, and as a table it cost every nightly
-- about 2 s at its tail. The routing file and the run's moment are in its SQL, as the build
-- compiled them, so that it answers as the build's table would have, from the tables it reads.
{{ config(materialized='view') }}
{%- set days = var('what_if_days', 30) %}
with

people as (
    select * from {{ ref('people') }}
),

unified as (
    select * from {{ ref('int_people_unified') }}
),

hubspot_companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

assignments as (
    select * from {{ ref('owner_assignments') }}
),

current_owners as (
    select * from {{ ref('int_owner_assignment') }}
),

roster as (
    {{ routing_roster() }}
),

rules as (
    {{ routing_rules() }}
),

first_assignments as (
    select {{ distinct_on('person_id') }} * from assignments
    {{ first_per('person_id', 'built_at, assigned_at') }}
),

replayed as (
    select
        people.person_id,
        people.mql_at,
        {{ routing_pool('people.is_in_salesforce', 'people.is_in_hubspot') }} as rotation_pool,
        people.region,
        people.country,
        {{ routing_segment('unified.employee_count') }} as segment,
        coalesce(account_owners.owner_email, company_owners.owner_email) as account_owner_email,
        case when first_assignments.owner_reason = 'current_owner' then first_assignments.owner_email end
            as crm_owner_email,
        case when current_owners.owner_reason = 'manual_owner' then current_owners.owner_email end as manual_owner_email,
        current_owners.owner_email as actual_owner_email,
        cast(null as varchar) as excluded_owner_email
    from people
    inner join unified
        on unified.person_id = people.person_id
    left join current_owners
        on current_owners.person_id = people.person_id
    left join first_assignments
        on first_assignments.person_id = people.person_id
    left join roster as account_owners
        on account_owners.owner_salesforce_user_id = unified.account_owner_id
    left join hubspot_companies
        on hubspot_companies.hubspot_company_id = unified.hubspot_company_id
    left join roster as company_owners
        on company_owners.owner_hubspot_owner_id = hubspot_companies.owner_id
    where
        people.mql_at > {{ routing_now() }} - {{ days_of(days) }}
        and people.mql_at <= {{ routing_now() }}
        -- Recycled since: no owner to compare with.
        and current_owners.owner_reason <> 'below_mql'
),

{{ routing_member_pools('roster', 'member_pools') }},

seats as (
    select
        rotation_team,
        rotation_pool,
        owner_email,
        weight,
        cast(null as bigint) as most_turns,
        0.0 as rotation_level,
        {{ routing_seat_pass('null', '0.0', 'weight') }} as base_pass
    from member_pools
),

options as (
    select
        *,
        unnest({{ routing_matching_rules('region', 'country', 'segment') }}) as rule_order
    from replayed
    where manual_owner_email is null
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

decisions as (
    select
        replayed.person_id,
        replayed.actual_owner_email,
        case when replayed.manual_owner_email is not null then 0 else chosen_rules.rule_order end as rule_order,
        case when replayed.manual_owner_email is not null then 'manual' else chosen_rules.rule_name end as rule_name,
        case
            when replayed.manual_owner_email is not null then 'manual_owner'
            else coalesce(chosen_rules.owner_reason, 'unassigned')
        end as owner_reason,
        chosen_rules.team,
        coalesce(replayed.manual_owner_email, chosen_rules.direct_owner_email, rotated.owner_email) as owner_email
    from replayed
    left join chosen_rules
        on chosen_rules.person_id = replayed.person_id
    left join rotated
        on rotated.person_id = replayed.person_id
),

-- Each owner's weight against the team's total, for the rules that rotate.
team_weights as (
    select
        rotation_team,
        owner_email,
        weight / sum(weight) over (partition by rotation_team) as weight_share
    from (select distinct rotation_team, owner_email, weight from member_pools) as members
),

per_rule as (
    select
        rule_order,
        rule_name,
        owner_reason,
        team,
        owner_email,
        count(*) as assignments
    from decisions
    {{ group_by_all(5) }}
),

per_owner as (
    select
        owner_email,
        count(*) as owner_assignments
    from decisions
    group by owner_email
),

actual as (
    select
        actual_owner_email as owner_email,
        count(*) as actual_assignments
    from decisions
    group by actual_owner_email
),

-- Owners who hold people of the window now but would get none of them.
rows as (
    select * from per_rule
    {{ union_by_name() }}
    select
        {{- select_by_name(
            ['rule_order', 'rule_name', 'owner_reason', 'team', 'owner_email', 'assignments'],
            {'owner_email': 'actual.owner_email', 'assignments': '0'}
        ) }}
    from actual
    {{ anti_join('per_owner', 'per_owner.owner_email is not distinct from actual.owner_email') }}
),

final as (
    select
        per_rule.rule_order,
        per_rule.rule_name,
        per_rule.owner_reason,
        per_rule.team,
        per_rule.owner_email,
        roster.owner_name,
        per_rule.assignments,
        per_rule.assignments / nullif(sum(per_rule.assignments) over (partition by per_rule.rule_order), 0) as rule_share,
        team_weights.weight_share,
        coalesce(per_owner.owner_assignments, 0) as owner_assignments,
        {{ divide('coalesce(per_owner.owner_assignments, 0)', '(select count(*) from decisions)') }} as owner_share,
        coalesce(actual.actual_assignments, 0) as actual_assignments,
        {{ divide('coalesce(actual.actual_assignments, 0)', '(select count(*) from decisions)') }} as actual_share,
        (select count(*) from decisions) as people,
        {{ days }} as window_days,
        {{ routing_literal(routing_config().source) }} as routing_file
    from rows as per_rule
    left join roster
        on roster.owner_email = per_rule.owner_email
    left join team_weights
        on team_weights.rotation_team = per_rule.team and team_weights.owner_email = per_rule.owner_email
    left join per_owner
        on per_owner.owner_email is not distinct from per_rule.owner_email
    left join actual
        on actual.owner_email is not distinct from per_rule.owner_email
)

select * from final
