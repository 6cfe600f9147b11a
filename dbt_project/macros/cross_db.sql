{#- Where DuckDB and PostgreSQL differ. Each macro dispatches: duckdb__ renders the SQL the project
    always had (same text, same plans), postgres__ the PostgreSQL equivalent. A record parsed with
    json_struct is a struct on DuckDB and stays jsonb on PostgreSQL: models read its fields with
    json_field, its lists with json_id_list. Functions are here; the rest by kind in
    cross_db_records.sql, cross_db_lists.sql, cross_db_time.sql, cross_db_numbers.sql and
    cross_db_queries.sql. -#}

{% macro cross_db_functions() -%}
    {{ return(adapter.dispatch('cross_db_functions', 'leadflow')()) }}
{%- endmacro %}

{% macro duckdb__cross_db_functions() -%}
    select 1
{%- endmacro %}

{#- PostgreSQL has no try_cast and no type named double; on-run-start creates them once. -#}
{% macro postgres__cross_db_functions() -%}
    do $$ begin
        if not exists (select 1 from pg_type where typname = 'double' and typnamespace = 'public'::regnamespace) then
            create domain public.double as double precision;
        end if;
    end $$;
    create or replace function public.leadflow_error(message text) returns text
    language plpgsql as $fn$
    begin
        raise exception '%', message;
    end $fn$;
    {%- for name, type in [('bigint', 'bigint'), ('integer', 'integer'), ('double', 'double precision'),
                           ('boolean', 'boolean'), ('date', 'date'), ('timestamptz', 'timestamptz'),
                           ('timestamp', 'timestamp')] %}
    create or replace function public.leadflow_try_{{ name }}(value text) returns {{ type }}
    language plpgsql immutable parallel safe as $fn$
    begin
        return value::{{ type }};
    exception when others then
        return null;
    end $fn$;
    {%- endfor %}
{%- endmacro %}

{% macro try_cast(expression, type) -%}
    {{ return(adapter.dispatch('try_cast', 'leadflow')(expression, type)) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro postgres__try_cast(expression, type) -%}
    leadflow_try_{{ type }}(cast({{ expression }} as text))
{%- endmacro %}

{% macro full_match(expression, pattern) -%}
    {#- The whole value matches the regular expression (a quoted literal). -#}
    {{ return(adapter.dispatch('full_match', 'leadflow')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__full_match(expression, pattern) -%}
    ({{ expression }} ~ ('^(?:' || {{ pattern }} || ')$'))
{%- endmacro %}

{% macro regexp_group(expression, pattern, group) -%}
    {#- The `group`th group of the first match, or '' (DuckDB's regexp_extract). -#}
    {{ return(adapter.dispatch('regexp_group', 'leadflow')(expression, pattern, group)) }}
{%- endmacro %}

{% macro duckdb__regexp_group(expression, pattern, group) -%}
    regexp_extract({{ expression }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro postgres__regexp_group(expression, pattern, group) -%}
    coalesce((regexp_match({{ expression }}, {{ pattern }}))[{{ group }}], '')
{%- endmacro %}

{% macro contains_text(expression, part) -%}
    {{ return(adapter.dispatch('contains_text', 'leadflow')(expression, part)) }}
{%- endmacro %}

{% macro duckdb__contains_text(expression, part) -%}
    contains({{ expression }}, {{ part }})
{%- endmacro %}

{% macro postgres__contains_text(expression, part) -%}
    (strpos({{ expression }}, {{ part }}) > 0)
{%- endmacro %}

{% macro regexp_contains(expression, pattern) -%}
    {#- The regular expression matches somewhere in the value. -#}
    {{ return(adapter.dispatch('regexp_contains', 'leadflow')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regexp_contains(expression, pattern) -%}
    {#- A word boundary is \y in PostgreSQL's regular expressions (\b is a backspace). -#}
    ({{ expression }} ~ regexp_replace({{ pattern }}, '\\b', '\\y', 'g'))
{%- endmacro %}

{% macro glob_match(expression, pattern) -%}
    {#- The value matches the glob pattern (`*` any text, `?` one character). -#}
    {{ return(adapter.dispatch('glob_match', 'leadflow')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__glob_match(expression, pattern) -%}
    {{ expression }} glob {{ pattern }}
{%- endmacro %}

{% macro postgres__glob_match(expression, pattern) -%}
    {{ expression }} like replace(replace(replace(replace(replace({{ pattern }}, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%'), '?', '_')
{%- endmacro %}

{% macro raise_error(message) -%}
    {#- Fails the query with the message (text) when evaluated. -#}
    {{ return(adapter.dispatch('raise_error', 'leadflow')(message)) }}
{%- endmacro %}

{% macro duckdb__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro postgres__raise_error(message) -%}
    leadflow_error({{ message }})
{%- endmacro %}

{% macro time_zone_names() -%}
    {#- The IANA time zone names the warehouse knows, as a relation with column name. -#}
    {{ return(adapter.dispatch('time_zone_names', 'leadflow')()) }}
{%- endmacro %}

{% macro duckdb__time_zone_names() -%}
    pg_timezone_names()
{%- endmacro %}

{% macro postgres__time_zone_names() -%}
    pg_timezone_names
{%- endmacro %}

{% macro short_person_id(md5_hex) -%}
    {#- A person's id from the md5 (32 hex digits) of their matching key: its first 9 bytes, 72
        bits, as 12 characters of base64url (A-Z a-z 0-9 - _). -#}
    {{ return(adapter.dispatch('short_person_id', 'leadflow')(md5_hex)) }}
{%- endmacro %}

{% macro duckdb__short_person_id(md5_hex) -%}
    translate(left(to_base64(unhex({{ md5_hex }})), 12), '+/', '-_')
{%- endmacro %}

{% macro postgres__short_person_id(md5_hex) -%}
    translate(left(encode(decode({{ md5_hex }}, 'hex'), 'base64'), 12), '+/', '-_')
{%- endmacro %}
