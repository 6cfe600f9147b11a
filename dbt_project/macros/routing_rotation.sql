{# The weighted rotation (stride scheduling), set-based: an owner of weight w holds turns at
   base_pass + 1/w, + 2/w, ...; the turns of a rotation (team and kind of person) are merged in
   time order (ties by email) and the n-th person waiting takes the n-th turn. An owner's
   base_pass is where the previous run left them, but never more than one stride behind the
   rotation's level (turns handed out / total weight): a newcomer, or an owner back from leave,
   starts at the current level instead of catching up. Same input, same owners; over n turns
   every owner's count is within one of n x their weight share. #}

{% macro routing_rotation(queue, seats, name) %}
{#- queue: rotation_team, rotation_pool, person_id, queued_at, excluded_owner_email (a re-routed
    MQL's owner who missed the SLA, else null).
    seats: rotation_team, rotation_pool, owner_email, weight, base_pass, rotation_level,
    most_turns (null: no limit).
    Gives CTE `name`: person_id, owner_email, rotation_team, rotation_pool, turn_at, rotation_pass
    (the owner's pass after the turn), rotation_level (the rotation's level after it). -#}
{{ name }}_queue as (
    select
        *,
        row_number() over (
            partition by rotation_team, rotation_pool, excluded_owner_email is null
            order by queued_at, person_id
        ) as position
    from {{ queue }}
),

{{ name }}_demand as (
    select
        rotation_team,
        rotation_pool,
        count(*) filter (where excluded_owner_email is null) as waiting,
        count(*) filter (where excluded_owner_email is not null) as rerouted
    from {{ queue }}
    group by rotation_team, rotation_pool
),

-- Enough turns: by the horizon the owners together hold more than everyone asks for.
{{ name }}_horizon as (
    select
        seats.rotation_team,
        seats.rotation_pool,
        max(seats.base_pass)
        + ({{ any_value('demand.waiting') }} + 2 * {{ any_value('demand.rerouted') }} + count(*) + 1) / sum(seats.weight)
            as horizon,
        {{ any_value('demand.waiting') }} + 2 * {{ any_value('demand.rerouted') }} + 1 as most,
        sum(seats.weight) as total_weight
    from {{ seats }} as seats
    inner join {{ name }}_demand as demand
        on demand.rotation_team = seats.rotation_team and demand.rotation_pool = seats.rotation_pool
    group by seats.rotation_team, seats.rotation_pool
),

{{ name }}_turns as (
    select
        seats.rotation_team,
        seats.rotation_pool,
        seats.owner_email,
        seats.weight,
        seats.base_pass,
        seats.rotation_level,
        horizon.total_weight,
        {{ unnest_range('1', "1 + least(
            horizon.most,
            coalesce(seats.most_turns, horizon.most),
            cast(ceil((horizon.horizon - seats.base_pass) * seats.weight) as bigint)
        )") }} as turn
    from {{ seats }} as seats
    inner join {{ name }}_horizon as horizon
        on horizon.rotation_team = seats.rotation_team and horizon.rotation_pool = seats.rotation_pool
),

{{ name }}_ranked as (
    select
        *,
        base_pass + turn / weight as turn_at,
        row_number() over (
            partition by rotation_team, rotation_pool order by base_pass + turn / weight, owner_email
        ) as turn_rank
    from {{ name }}_turns
),

{{ name }}_served as (
    select
        waiting.person_id,
        ranked.*
    from {{ name }}_queue as waiting
    inner join {{ name }}_ranked as ranked
        on
            ranked.rotation_team = waiting.rotation_team
            and ranked.rotation_pool = waiting.rotation_pool
            and ranked.turn_rank = waiting.position
    where waiting.excluded_owner_email is null
    {{ union_by_name() }}
    -- A re-routed MQL takes, after everyone waiting, the k-th turn of someone other than the
    -- owner who missed the SLA.
    select {{ star_exclude(none, ['position', 'choice'], [
        'person_id', 'rotation_team', 'rotation_pool', 'owner_email', 'weight', 'base_pass', 'rotation_level',
        'total_weight', 'turn', 'turn_at', 'turn_rank']) }}
    from (
        select
            rerouted.person_id,
            rerouted.position,
            ranked.*,
            row_number() over (partition by rerouted.person_id order by ranked.turn_rank) as choice
        from {{ name }}_queue as rerouted
        inner join {{ name }}_demand as demand
            on demand.rotation_team = rerouted.rotation_team and demand.rotation_pool = rerouted.rotation_pool
        inner join {{ name }}_ranked as ranked
            on ranked.rotation_team = rerouted.rotation_team and ranked.rotation_pool = rerouted.rotation_pool
        where
            rerouted.excluded_owner_email is not null
            and ranked.turn_rank > demand.waiting
            and ranked.owner_email <> rerouted.excluded_owner_email
    ) as choices
    where choice = position
),

{{ name }} as (
    select
        person_id,
        owner_email,
        rotation_team,
        rotation_pool,
        turn_at,
        base_pass + row_number() over (
            partition by rotation_team, rotation_pool, owner_email order by turn_rank, person_id
        ) / weight as rotation_pass,
        rotation_level + row_number() over (
            partition by rotation_team, rotation_pool order by turn_rank, person_id
        ) / total_weight as rotation_level
    from {{ name }}_served
)
{% endmacro %}

{% macro routing_seat_pass(pass, level, weight) -%}
    {#- Where an owner's turns start: their pass, lifted to one stride below the level. -#}
    greatest(coalesce({{ pass }}, {{ level }} - 1.0 / {{ weight }}), {{ level }} - 1.0 / {{ weight }})
{%- endmacro %}

{% macro routing_previous_assignments() %}
    {#- owner_assignments as the previous run left it (empty before the first run, and in a unit
        test, which has no `this`). Read by name: dbt allows no cycle, and this run appends to it
        only after deciding. -#}
    {%- set columns = {
        'person_id': 'varchar', 'owner_email': 'varchar', 'owner_reason': 'varchar',
        'owner_rule': 'varchar', 'owner_team': 'varchar', 'rotation_pool': 'varchar',
        'rotation_pass': 'double', 'rotation_level': 'double', 'breached_owner_email': 'varchar',
        'sla_started_at': 'timestamp', 'assigned_at': 'timestamp', 'built_at': 'timestamp'} -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier='owner_assignments')
        if execute and this is not none else none -%}
    select
        {%- for column, type in columns.items() %}
        cast({{ column if relation is not none else 'null' }} as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- if relation is not none %}
    from {{ relation }}
    {%- else %}
    where false
    {%- endif %}
{% endmacro %}

{% macro routing_written_owners() %}
    {#- The owner leadflow last wrote on each record (write-back's ops.written_values; empty
        before the first write-back). -#}
    {%- set relation = adapter.get_relation(database=this.database, schema='ops', identifier='written_values') if execute else none -%}
    {%- if relation is not none %}
    select vendor, object_type, record_id, value
    from {{ relation }}
    where field_name in ('OwnerId', 'hubspot_owner_id')
    {%- else %}
    select
        cast(null as varchar) as vendor,
        cast(null as varchar) as object_type,
        cast(null as varchar) as record_id,
        cast(null as varchar) as value
    where false
    {%- endif %}
{% endmacro %}

{% macro business_seconds(day, local_moment) -%}
    {#- Business seconds from the calendar's start to a local moment, with `day` its
        int_business_calendar row. -#}
    ({{ day }}.seconds_before + case
        when {{ day }}.working_seconds > 0
            then least(greatest({{ epoch_seconds(local_moment) }} - {{ epoch_seconds(day ~ '.working_from') }}, 0), {{ day }}.working_seconds)
        else 0
    end)
{%- endmacro %}
