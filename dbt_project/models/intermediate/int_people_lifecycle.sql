-- Each person's lifecycle: for every stage the first moment it was reached, where reaching a
-- later stage also reaches the earlier ones (an SQL who skipped MQL became an MQL then, flagged
-- as inferred). Stages only move forward; the current stage is the furthest reached.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

events as (
    select * from {{ ref('int_lifecycle_events') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

per_stage as (
    select
        people.person_id,
        lifecycle_stages.stage,
        lifecycle_stages.stage_order,
        min(events.reached_at) filter (where events.stage_order >= lifecycle_stages.stage_order) as reached_at,
        -- Evidence of the stage itself; a date leadflow wrote is memory, not evidence.
        min(events.reached_at) filter (
            where events.stage_order = lifecycle_stages.stage_order and events.rule_type <> 'recorded_date'
        ) as direct_at,
        arg_min(
            events.rule_type || ':' || events.match_value,
            (events.rule_type = 'recorded_date', events.reached_at)
        ) filter (where events.stage_order = lifecycle_stages.stage_order) as first_rule
    from people
    cross join lifecycle_stages
    left join events
        on events.person_id = people.person_id
    group by people.person_id, lifecycle_stages.stage, lifecycle_stages.stage_order
),

final as (
    select
        person_id,
        arg_max(stage, stage_order) filter (where reached_at is not null) as lifecycle_stage,
        max(stage_order) filter (where reached_at is not null) as lifecycle_stage_order,
        {% for stage in ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] -%}
        min(reached_at) filter (where stage = '{{ stage }}') as {{ stage }}_at,
        {% endfor -%}
        coalesce(
            bool_or(direct_at is null or direct_at > reached_at) filter (where stage = 'mql' and reached_at is not null),
            false
        ) as is_mql_inferred,
        min(first_rule) filter (where stage = 'mql') as mql_rule,
        min(first_rule) filter (where stage = 'sql') as sql_rule
    from per_stage
    group by person_id
)

select * from final
