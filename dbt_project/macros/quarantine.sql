{#- What main.quarantine is made of: raw values leadflow cannot read as their field's type, or
    that no real record holds. -#}

{% macro value_problem(value, kind) -%}
    {#- Why a raw value (text) cannot be used, or null. kind: count (whole number, not below zero),
        amount (number, not below zero), email, date, datetime, past_datetime (a datetime that
        must lie between 1980 and the end of the run date: when a record was made, when a stage
        was entered). Empty values are no problem: they are missing, not wrong. -#}
    case
        when nullif(trim({{ value }}), '') is null then null
    {%- if kind in ('count', 'amount') %}
        {%- set number = try_cast(value, 'bigint' if kind == 'count' else 'double') %}
        when {{ number }} is null then 'not_a_number'
        when {{ number }} < 0 then 'negative_number'
    {%- elif kind == 'email' %}
        when {{ person_email(value) }} is null then 'invalid_email'
    {%- elif kind == 'date' %}
        when {{ vendor_date(value) }} is null then 'not_a_date'
    {%- elif kind in ('datetime', 'past_datetime') %}
        when {{ utc_timestamp(value) }} is null then 'not_a_date'
        {%- if kind == 'past_datetime' %}
        -- No CRM record or event predates 1980 (Salesforce began in 1999, HubSpot in 2006).
        when {{ utc_timestamp(value) }} < timestamp '1980-01-01' then 'date_too_early'
        when {{ utc_timestamp(value) }} >= {{ as_of_end() }} then 'date_in_future'
        {%- endif %}
    {%- else %}
        {{ exceptions.raise_compiler_error("value_problem: unknown kind " ~ kind) }}
    {%- endif %}
    end
{%- endmacro %}

{% macro invalid_values(relation, object_type, checks) -%}
    {{ return(adapter.dispatch('invalid_values', 'leadflow')(relation, object_type, checks)) }}
{%- endmacro %}

{% macro duckdb__invalid_values(relation, object_type, checks) -%}
    {#- One row per field of a raw table's live records whose value has a problem (value_problem):
        object_type, record_id, field_name (the vendor's name, without HubSpot's `properties.`),
        raw_value (as the API gave it, as text) and reason. checks: (path, kind) pairs. Each
        record is parsed once (json_struct). -#}
    {%- set paths = [] %}
    {%- for path, kind in checks %}{% do paths.append(path) %}{% endfor %}
    select
        '{{ object_type }}' as object_type,
        record_id,
        problem.field_name,
        problem.raw_value,
        problem.reason
    from (
        select
            id as record_id,
            unnest([
                {%- for path, kind in checks %}
                {
                    'field_name': '{{ path | replace("properties.", "") }}',
                    'raw_value': parsed.{{ path }},
                    'reason': {{ value_problem('parsed.' ~ path, kind) }}
                }{{ ',' if not loop.last }}
                {%- endfor %}
            ]) as problem
        from (
            select
                id,
                {{ json_struct('record', paths) }} as parsed
            from {{ relation }}
            where not coalesce(is_deleted, false)
        )
    )
    where problem.reason is not null
{%- endmacro %}


{% macro postgres__invalid_values(relation, object_type, checks) -%}
    select
        '{{ object_type }}' as object_type,
        record_id,
        problem.field_name,
        problem.raw_value,
        problem.reason
    from (
        select id as record_id, record
        from {{ relation }}
        where not coalesce(is_deleted, false)
    ) as parsed
    cross join lateral (
        values
        {%- for path, kind in checks %}
            (
                cast('{{ path | replace("properties.", "") }}' as varchar),
                {{ json_field(path, 'parsed.record') }},
                {{ value_problem(json_field(path, 'parsed.record'), kind) }}
            ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as problem (field_name, raw_value, reason)
    where problem.reason is not null
{%- endmacro %}
