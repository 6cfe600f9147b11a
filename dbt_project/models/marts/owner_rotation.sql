-- Where each rotation stands after this run: per team, kind of person (pool: in both CRMs,
-- Salesforce only, HubSpot only) and owner, the turns taken since the first run (never reset:
-- an owner who left or is away keeps their count), their share of the turns against their
-- weight's share, and whether they take turns now.
with

assignments as (
    select * from {{ ref('owner_assignments') }}
),

roster as (
    select * from {{ ref('int_routing_owners') }}
),

turns as (
    select
        owner_team as rotation_team,
        rotation_pool,
        owner_email,
        count(*) as turns,
        max(rotation_pass) as rotation_pass,
        max(assigned_at) as last_turn_at,
        max(max(rotation_level)) over (partition by owner_team, rotation_pool) as rotation_level
    from assignments
    where rotation_pass is not null
    group by owner_team, rotation_pool, owner_email
),

final as (
    select
        turns.rotation_team,
        turns.rotation_pool,
        turns.owner_email,
        roster.owner_name,
        turns.turns,
        turns.turns / sum(turns.turns) over (partition by turns.rotation_team, turns.rotation_pool) as turn_share,
        roster.weight,
        coalesce(
            {{ list_contains('roster.teams', 'turns.rotation_team') }} and roster.is_assignable and not roster.is_away, false
        ) as is_taking_turns,
        turns.rotation_pass,
        turns.rotation_level,
        turns.last_turn_at
    from turns
    left join roster
        on roster.owner_email = turns.owner_email
)

select * from final
