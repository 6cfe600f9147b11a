{#- Where DuckDB and PostgreSQL differ. Each macro dispatches: duckdb__ renders the SQL the project
    always had (same text, same plans), postgres__ the PostgreSQL equivalent. A record parsed with
    json_struct is a struct on DuckDB and stays jsonb on PostgreSQL: models read its fields with
    json_field, its lists with json_id_list. -#}

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

{% macro parsed_record(column, fields) -%}
    {#- In a source CTE's select list: every column, the record parsed once (json_struct). -#}
    {{ return(adapter.dispatch('parsed_record', 'leadflow')(column, fields)) }}
{%- endmacro %}

{% macro duckdb__parsed_record(column, fields) -%}
    * replace ({{ json_struct(column, fields) }} as {{ column }})
{%- endmacro %}

{% macro postgres__parsed_record(column, fields) -%}
    *
{%- endmacro %}

{% macro json_field(path, column='record') -%}
    {#- A field of a parsed record as text: 'Email', 'properties.email'. -#}
    {{ return(adapter.dispatch('json_field', 'leadflow')(path, column)) }}
{%- endmacro %}

{% macro duckdb__json_field(path, column) -%}
    {{ column }}.{{ path }}
{%- endmacro %}

{% macro postgres__json_field(path, column) -%}
    {%- set parts = path.split('.') -%}
    {%- if parts | length == 1 -%}
    ({{ column }} ->> '{{ path }}')
    {%- else -%}
    ({{ column }} #>> '{ {{- parts | join(',') -}} }')
    {%- endif -%}
{%- endmacro %}

{% macro json_id_list(path, item, key, column='record') -%}
    {#- The `key` of every object in the record's list at `path`, as a list of text (empty when
        absent). item: the lambda's variable on DuckDB. -#}
    {{ return(adapter.dispatch('json_id_list', 'leadflow')(path, item, key, column)) }}
{%- endmacro %}

{% macro duckdb__json_id_list(path, item, key, column) -%}
    coalesce(
            list_transform({{ column }}.{{ path }}, {{ item }} -> {{ item }}.{{ key }}), []
        )
{%- endmacro %}

{% macro postgres__json_id_list(path, item, key, column) -%}
    coalesce(
        (
            select array_agg(element ->> '{{ key }}' order by position)
            from jsonb_array_elements(
                case when jsonb_typeof({{ column }} #> '{ {{- path.split('.') | join(',') -}} }') = 'array'
                then {{ column }} #> '{ {{- path.split('.') | join(',') -}} }' end
            ) with ordinality as elements (element, position)
        ),
        cast(array[] as varchar[])
    )
{%- endmacro %}

{% macro json_list_lookup(path, match_key, match_value, value_key, column='record') -%}
    {#- The `value_key` of the first object in the list at `path` whose `match_key` is match_value. -#}
    {{ return(adapter.dispatch('json_list_lookup', 'leadflow')(path, match_key, match_value, value_key, column)) }}
{%- endmacro %}

{% macro duckdb__json_list_lookup(path, match_key, match_value, value_key, column) -%}
    list_extract(
            list_transform({{ column }}.{{ path }}, field -> field.{{ value_key }}),
            list_position(list_transform({{ column }}.{{ path }}, field -> field.{{ match_key }}), {{ match_value }})
        )
{%- endmacro %}

{% macro postgres__json_list_lookup(path, match_key, match_value, value_key, column) -%}
    (
        select element ->> '{{ value_key }}'
        from jsonb_array_elements(
            case when jsonb_typeof({{ column }} -> '{{ path }}') = 'array' then {{ column }} -> '{{ path }}' end
        ) with ordinality as elements (element, position)
        where element ->> '{{ match_key }}' = {{ match_value }}
        order by position
        limit 1
    )
{%- endmacro %}

{% macro epoch_ms_timestamp(expression) -%}
    {#- Epoch milliseconds (a bigint) as a naive UTC timestamp. -#}
    {{ return(adapter.dispatch('epoch_ms_timestamp', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_ms_timestamp(expression) -%}
    make_timestamp({{ expression }} * 1000)
{%- endmacro %}

{% macro postgres__epoch_ms_timestamp(expression) -%}
    (timestamp '1970-01-01' + {{ expression }} * interval '1 millisecond')
{%- endmacro %}

{% macro utc_of(expression) -%}
    {#- A timestamptz as naive UTC. -#}
    {{ return(adapter.dispatch('utc_of', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__utc_of(expression) -%}
    make_timestamp(epoch_us({{ expression }}))
{%- endmacro %}

{% macro postgres__utc_of(expression) -%}
    ({{ expression }} at time zone 'UTC')
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

{% macro json_path_id_list(path, key, column='record') -%}
    {#- As json_id_list, for a record not parsed with json_struct (a JSON path on DuckDB). -#}
    {{ return(adapter.dispatch('json_path_id_list', 'leadflow')(path, key, column)) }}
{%- endmacro %}

{% macro duckdb__json_path_id_list(path, key, column) -%}
    coalesce(
            json_extract_string({{ column }}, '$.{{ path }}[*].{{ key }}'), []
        )
{%- endmacro %}

{% macro postgres__json_path_id_list(path, key, column) -%}
    {{ postgres__json_id_list(path, none, key, column) }}
{%- endmacro %}

{% macro json_first_item_field(path, key, column='record') -%}
    {#- The `key` of the first object in the record's list at `path`. -#}
    {{ return(adapter.dispatch('json_first_item_field', 'leadflow')(path, key, column)) }}
{%- endmacro %}

{% macro duckdb__json_first_item_field(path, key, column) -%}
    {{ column }}.{{ path }}[1].{{ key }}
{%- endmacro %}

{% macro postgres__json_first_item_field(path, key, column) -%}
    ({{ column }} #>> '{ {{- path.split('.') | join(',') -}} ,0,{{ key }}}')
{%- endmacro %}

{% macro lead_status_history(expression) -%}
    {#- HubSpot's history of a property ({value, timestamp} objects) as a list of
        {lead_status, changed_at}: structs on DuckDB, a jsonb array on PostgreSQL. -#}
    {{ return(adapter.dispatch('lead_status_history', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__lead_status_history(expression) -%}
    coalesce(
            list_transform(
                {{ expression }},
                change -> {
                    'lead_status': change.value,
                    'changed_at': try_cast(try_cast(change."timestamp" as timestamptz) at time zone 'UTC' as timestamp)
                }
            ),
            []
        )
{%- endmacro %}

{% macro postgres__lead_status_history(expression) -%}
    {#- expression is the history as text (json_field); its elements are read back as jsonb. -#}
    coalesce(
        (
            select jsonb_agg(
                jsonb_build_object(
                    'lead_status', change ->> 'value',
                    'changed_at', leadflow_try_timestamptz(change ->> 'timestamp') at time zone 'UTC'
                )
                order by position
            )
            from jsonb_array_elements(
                case when jsonb_typeof(cast({{ expression }} as jsonb)) = 'array' then cast({{ expression }} as jsonb) end
            ) with ordinality as changes (change, position)
        ),
        '[]'::jsonb
    )
{%- endmacro %}

{% macro star_replace(replacements) -%}
    {#- Every column of the CTE read, some computed again ({column: expression}). PostgreSQL has
        no `* replace`: there the model's documented columns (its _models.yml, in order) are
        listed, so a model that uses this documents every column. -#}
    {{ return(adapter.dispatch('star_replace', 'leadflow')(replacements)) }}
{%- endmacro %}

{% macro duckdb__star_replace(replacements) -%}
    * replace ({% for column, expression in replacements.items() %}{{ expression }} as {{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro postgres__star_replace(replacements) -%}
    {%- set columns = graph.nodes[model.unique_id].columns if execute else {} -%}
    {%- if execute and columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("star_replace: " ~ model.name ~ " documents no columns") }}
    {%- endif -%}
    {%- for column in columns %}
        {{ replacements.get(column, column) }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro empty_list(type) -%}
    {#- An empty list of `type` (a struct's fields, `name type, ...`, for a list of structs). -#}
    {{ return(adapter.dispatch('empty_list', 'leadflow')(type)) }}
{%- endmacro %}

{% macro duckdb__empty_list(type) -%}
    cast([] as {{ type }} [])
{%- endmacro %}

{% macro postgres__empty_list(type) -%}
    {%- if type.startswith('struct(') -%}
    cast('[]' as jsonb)
    {%- else -%}
    cast(array[] as {{ type }}[])
    {%- endif -%}
{%- endmacro %}

{% macro dated_stages(stages) -%}
    {#- The stages that have a date, as a list of {stage, entered_at}; stages: (name, expression). -#}
    {{ return(adapter.dispatch('dated_stages', 'leadflow')(stages)) }}
{%- endmacro %}

{% macro duckdb__dated_stages(stages) -%}
    list_filter(
            [
                {% for stage, expression in stages -%}
                {'stage': '{{ stage }}', 'entered_at': {{ expression }}}{{ ',' if not loop.last }}
                {% endfor -%}
            ],
            entered -> entered.entered_at is not null
        )
{%- endmacro %}

{% macro postgres__dated_stages(stages) -%}
    (
        select coalesce(jsonb_agg(entered order by position), cast('[]' as jsonb))
        from jsonb_array_elements(jsonb_build_array(
            {%- for stage, expression in stages %}
            jsonb_build_object('stage', '{{ stage }}', 'entered_at', {{ expression }}){{ ',' if not loop.last }}
            {%- endfor %}
        )) with ordinality as stages (entered, position)
        where entered ->> 'entered_at' is not null
    )
{%- endmacro %}

{% macro arg_min(value, ordering) -%}
    {#- The value of the row with the least ordering (an aggregate). -#}
    {{ return(adapter.dispatch('arg_min', 'leadflow')(value, ordering)) }}
{%- endmacro %}

{% macro duckdb__arg_min(value, ordering) -%}
    arg_min({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro postgres__arg_min(value, ordering) -%}
    (array_agg({{ value }} order by {{ ordering }}) filter (where {{ ordering }} is not null))[1]
{%- endmacro %}

{% macro star_exclude(alias, excluded, columns) -%}
    {#- alias.* less the excluded columns. PostgreSQL has no `* exclude`: there alias's columns
        (`columns`, the excluded ones among them or not) are listed. -#}
    {{ return(adapter.dispatch('star_exclude', 'leadflow')(alias, excluded, columns)) }}
{%- endmacro %}

{% macro duckdb__star_exclude(alias, excluded, columns) -%}
    {{ alias }}.* exclude ({{ excluded | join(', ') }})
{%- endmacro %}

{% macro postgres__star_exclude(alias, excluded, columns) -%}
    {%- for column in columns if column not in excluded %}
        {{ alias }}.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
