{# SQL the routing models share with routing_what_if, which replays a routing file without
   building anything: the roster, the rules, the rotation. #}

{% macro routing_now() -%}
    {#- The moment routing decides at: the end of the run date (as_of()), else when this dbt run
        started (one moment for every model of the run). -#}
    {%- if as_of() -%}
        {{ as_of_end() }}
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
    {%- endif -%}
{%- endmacro %}

{% macro routing_today(time_zone) -%}
    {#- The run's day for an owner: the run date (as_of()), else today in their time zone. -#}
    {%- if as_of() -%}
        {{ as_of_date() }}
    {%- else -%}
        cast({{ routing_local(routing_now(), time_zone) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro routing_literal(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{% macro routing_text_list(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}{%- do literals.append(routing_literal(value)) -%}{%- endfor -%}
    cast({{ list_of(literals) }} as varchar [])
{%- endmacro %}

{% macro routing_local(moment, time_zone, zones=none) -%}
    {#- A UTC moment as the wall-clock time of a time zone. zones: see routing_by_zone. -#}
    {%- call(zone) routing_by_zone(time_zone, zones) -%}
    cast((({{ moment }}) at time zone 'UTC') at time zone {{ zone }} as timestamp)
    {%- endcall -%}
{%- endmacro %}

{% macro routing_utc(local_moment, time_zone, zones=none) -%}
    {#- A wall-clock time of a time zone as the UTC moment. zones: see routing_by_zone. -#}
    {%- call(zone) routing_by_zone(time_zone, zones) -%}
    cast((({{ local_moment }}) at time zone {{ zone }}) at time zone 'UTC' as timestamp)
    {%- endcall -%}
{%- endmacro %}

{% macro routing_by_zone(time_zone, zones) -%}
    {#- caller(zone), the time zone a column: with zones (routing_time_zones), one branch per
        zone with its name as a constant (a conversion to a zone named by a column costs DuckDB
        about four times as much per row), the column itself for any other. -#}
    {%- if zones -%}
    case {{ time_zone }}
        {%- for zone in zones %}
        when {{ routing_literal(zone) }} then {{ caller(routing_literal(zone)) }}
        {%- endfor %}
        else {{ caller(time_zone) }}
    end
    {%- else -%}
    {{ caller(time_zone) }}
    {%- endif -%}
{%- endmacro %}

{% macro routing_time_zones() -%}
    {#- The owners' time zones (int_routing_owners), read when the model is rendered to run (it
        is built before any model that asks); none at parse or compile time. -#}
    {%- set roster = ref('int_routing_owners') -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set relation = adapter.get_relation(roster.database, roster.schema, roster.identifier) -%}
        {%- if relation is not none -%}
            {%- set zones = run_query(
                'select distinct time_zone from ' ~ relation ~ ' where time_zone is not null order by time_zone limit 51'
            ).columns[0].values() | list -%}
            {{- return(zones if zones | length <= 50 else []) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return([]) -}}
{%- endmacro %}

{% macro routing_segment(employee_count) -%}
    {#- The company-size segment of the routing file an employee count falls in. -#}
    {%- set segments = routing_config().segments -%}
    {%- if segments -%}
    case
        {%- for segment in segments %}
        when {{ employee_count }} >= {{ segment.min if segment.min is not none else 0 }}
            {%- if segment.max is not none %} and {{ employee_count }} <= {{ segment.max }}{% endif %}
            then {{ routing_literal(segment.name) }}
        {%- endfor %}
    end
    {%- else -%}
    cast(null as varchar)
    {%- endif -%}
{%- endmacro %}

{% macro routing_rules() -%}
    {#- The rules of the routing file, in order, as rows. -#}
    select * from (values
        {%- for rule in routing_config().rules %}
        ({{ rule.order }}, {{ routing_literal(rule.name) }}, {{ routing_literal(rule.type) }},
            {{ routing_literal(rule.reason) }}, {{ routing_literal(rule.team) }}){{ ',' if not loop.last }}
        {%- else %}
        (0, 'none', 'none', 'unassigned', null)
        {%- endfor %}
    ) as rules (rule_order, rule_name, rule_type, owner_reason, team)
    where rule_order > 0
{%- endmacro %}

{% macro routing_matching_rules(region, country, segment) -%}
    {#- The orders of the rules whose regions, countries and segments a person meets. -#}
    {% call non_null_list('rule_order') -%}
        {%- for rule in routing_config().rules %}
        case when
            {%- if rule.regions or rule.countries %} (
                {%- if rule.regions %}{{ region }} in ({% for name in rule.regions %}{{ routing_literal(name) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
                {%- if rule.regions and rule.countries %} or {% endif %}
                {%- if rule.countries %}lower(trim({{ country }})) in ({% for name in rule.countries %}{{ routing_literal(name) }}{{ ', ' if not loop.last }}{% endfor %}){% endif -%}
            ) and{% endif %}
            {%- if rule.segments %} {{ segment }} in ({% for name in rule.segments %}{{ routing_literal(name) }}{{ ', ' if not loop.last }}{% endfor %}) and{% endif %} true
            then {{ rule.order }} end,
        {%- endfor %}
        cast(null as integer)
    {%- endcall %}
{%- endmacro %}

{% macro routing_pools(salesforce_id, hubspot_id) -%}
    {#- The kinds of people an owner can take: a person in both CRMs needs an owner in both. -#}
    {{ return(adapter.dispatch('routing_pools', 'leadflow')(salesforce_id, hubspot_id)) }}
{%- endmacro %}

{% macro duckdb__routing_pools(salesforce_id, hubspot_id) -%}
    list_filter(['both', 'salesforce', 'hubspot'], pool -> case pool
        when 'both' then {{ salesforce_id }} is not null and {{ hubspot_id }} is not null
        when 'salesforce' then {{ salesforce_id }} is not null
        else {{ hubspot_id }} is not null end)
{%- endmacro %}

{% macro postgres__routing_pools(salesforce_id, hubspot_id) -%}
    array_remove(cast(array[
        case when {{ salesforce_id }} is not null and {{ hubspot_id }} is not null then 'both' end,
        case when {{ salesforce_id }} is not null then 'salesforce' end,
        case when {{ hubspot_id }} is not null then 'hubspot' end
    ] as varchar[]), null)
{%- endmacro %}

{% macro routing_pool(is_in_salesforce, is_in_hubspot) -%}
    case when {{ is_in_salesforce }} and {{ is_in_hubspot }} then 'both' when {{ is_in_salesforce }} then 'salesforce' else 'hubspot' end
{%- endmacro %}

{% macro routing_member_pools(roster, name, honour_away=true) %}
{#- CTE `name`: one row per team, pool and owner who takes turns there - assignable, with a
    weight, away owners left out when honour_away. -#}
{{ name }}_teams as (
    select
        *,
        unnest(teams) as rotation_team
    from {{ roster }}
    where is_assignable and weight > 0{% if honour_away %} and not is_away{% endif %}
),

{{ name }} as (
    select
        *,
        unnest({{ routing_pools('owner_salesforce_user_id', 'owner_hubspot_owner_id') }}) as rotation_pool
    from {{ name }}_teams
)
{% endmacro %}

{% macro routing_first_rules(options, roster, seats, name, honour_away=true) %}
{#- CTE `name`: per person of `options` (person_id, rotation_pool, excluded_owner_email,
    crm_owner_email, account_owner_email, rule_order: each rule they meet) the first rule that
    finds someone: the CRM owner (sticky), the account owner (active, not away, able to take
    every record of the person), or a team with a seat in the person's pool. Rotation rules
    leave direct_owner_email empty. Needs CTE `rules`. -#}
{{ name }}_seat_counts as (
    select rotation_team, rotation_pool, count(*) as seats
    from {{ seats }}
    group by rotation_team, rotation_pool
),

{{ name }}_usable as (
    select
        options.*,
        rules.rule_name,
        rules.rule_type,
        rules.owner_reason,
        rules.team,
        case rules.rule_type
            when 'sticky' then case
                when options.crm_owner_email is distinct from options.excluded_owner_email then options.crm_owner_email
            end
            when 'account_owner' then case
                when
                    account.is_assignable{% if honour_away %} and not account.is_away{% endif %}
                    and {{ list_contains(
                        routing_pools('account.owner_salesforce_user_id', 'account.owner_hubspot_owner_id'),
                        'options.rotation_pool'
                    ) }}
                    and options.account_owner_email is distinct from options.excluded_owner_email
                    then options.account_owner_email
            end
        end as direct_owner_email,
        coalesce(seat_counts.seats, 0) - case when excluded_seat.owner_email is not null then 1 else 0 end as open_seats
    from {{ options }} as options
    inner join rules
        on rules.rule_order = options.rule_order
    left join {{ roster }} as account
        on account.owner_email = options.account_owner_email
    left join {{ name }}_seat_counts as seat_counts
        on seat_counts.rotation_team = rules.team and seat_counts.rotation_pool = options.rotation_pool
    left join {{ seats }} as excluded_seat
        on
            excluded_seat.rotation_team = rules.team
            and excluded_seat.rotation_pool = options.rotation_pool
            and excluded_seat.owner_email = options.excluded_owner_email
),

{{ name }} as (
    select {{ distinct_on('person_id') }} * from {{ name }}_usable
    where direct_owner_email is not null or (team is not null and open_seats > 0)
    {{ first_per('person_id', 'rule_order') }}
)
{% endmacro %}
