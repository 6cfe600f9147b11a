{#- Records parsed from JSON and lists of records: structs on DuckDB, jsonb on PostgreSQL (cross_db.sql says how each dispatches). -#}

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

{% macro unnest_records(expression) -%}
    {#- In a select list: a row per item of a list of records (structs; jsonb on PostgreSQL). -#}
    {{ return(adapter.dispatch('unnest_records', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__unnest_records(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro postgres__unnest_records(expression) -%}
    jsonb_array_elements({{ expression }})
{%- endmacro %}

{% macro records_length(expression) -%}
    {#- The number of items of a list of records (structs; jsonb on PostgreSQL). -#}
    {{ return(adapter.dispatch('records_length', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__records_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro postgres__records_length(expression) -%}
    jsonb_array_length({{ expression }})
{%- endmacro %}

{% macro record_item(record, field, type) -%}
    {#- A field of a record (a struct; jsonb on PostgreSQL, cast to `type` there). -#}
    {{ return(adapter.dispatch('record_item', 'leadflow')(record, field, type)) }}
{%- endmacro %}

{% macro duckdb__record_item(record, field, type) -%}
    {{ record }}.{{ field }}
{%- endmacro %}

{% macro postgres__record_item(record, field, type) -%}
    cast({{ record }} ->> '{{ field }}' as {{ type }})
{%- endmacro %}

{% macro unnest_record_fields(expression, fields) -%}
    {#- In a select list: a row per record of the list, its fields as columns (fields: (name,
        type) pairs, in the records' order). -#}
    {{ return(adapter.dispatch('unnest_record_fields', 'leadflow')(expression, fields)) }}
{%- endmacro %}

{% macro duckdb__unnest_record_fields(expression, fields) -%}
    unnest({{ expression }}, recursive := true)
{%- endmacro %}

{% macro postgres__unnest_record_fields(expression, fields) -%}
    {#- Set-returning functions of one select list run in step: one row per record. -#}
    {%- for name, type in fields %}
        cast(jsonb_array_elements({{ expression }}) ->> '{{ name }}' as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro struct_literal(fields) -%}
    {#- A record of {name: expression} (a struct; jsonb on PostgreSQL). -#}
    {{ return(adapter.dispatch('struct_literal', 'leadflow')(fields)) }}
{%- endmacro %}

{% macro duckdb__struct_literal(fields) -%}
    { {%- for name, expression in fields.items() -%}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{%- endfor -%} }
{%- endmacro %}

{% macro postgres__struct_literal(fields) -%}
    jsonb_build_object({%- for name, expression in fields.items() -%}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}

{% macro records_list(items) -%}
    {#- A list of records (struct_literal), [] when empty (jsonb on PostgreSQL). -#}
    {{ return(adapter.dispatch('records_list', 'leadflow')(items)) }}
{%- endmacro %}

{% macro duckdb__records_list(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro postgres__records_list(items) -%}
    jsonb_build_array({{ items | join(', ') }})
{%- endmacro %}

{% macro records_cast(expression, type) -%}
    {#- A list of records cast to a list of `type` (a struct; jsonb on PostgreSQL). -#}
    {{ return(adapter.dispatch('records_cast', 'leadflow')(expression, type)) }}
{%- endmacro %}

{% macro duckdb__records_cast(expression, type) -%}
    cast({{ expression }} as {{ type }} [])
{%- endmacro %}

{% macro postgres__records_cast(expression, type) -%}
    cast({{ expression }} as jsonb)
{%- endmacro %}

{% macro any_record(list, item, condition) -%}
    {#- Some record of the list meets the condition (on `item`; read its fields with record_item). -#}
    {{ return(adapter.dispatch('any_record', 'leadflow')(list, item, condition)) }}
{%- endmacro %}

{% macro duckdb__any_record(list, item, condition) -%}
    len(list_filter(
            {{ list }},
            {{ item }} -> {{ condition }}
        )) > 0
{%- endmacro %}

{% macro postgres__any_record(list, item, condition) -%}
    exists (select 1 from jsonb_array_elements({{ list }}) as items ({{ item }}) where {{ condition }})
{%- endmacro %}
