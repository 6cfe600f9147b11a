-- Each rotation as the previous run left it (owner_assignments, read by name before this run
-- appends): per team, kind of person (pool: in both CRMs, Salesforce only, HubSpot only) and
-- owner, the turns taken since the first run and the owner's pass; and the rotation's level.
-- Owners who left or are away keep their row: counts are never reset.
with

previous_assignments as (
    {{ routing_previous_assignments() }}
),

turns as (
    select * from previous_assignments
    where rotation_pass is not null
),

final as (
    select
        owner_team as rotation_team,
        rotation_pool,
        owner_email,
        count(*) as turns,
        max(rotation_pass) as rotation_pass,
        max(max(rotation_level)) over (partition by owner_team, rotation_pool) as rotation_level
    from turns
    group by owner_team, rotation_pool, owner_email
)

select * from final
