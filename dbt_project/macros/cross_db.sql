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

{% macro no_items(type) -%}
    {#- An empty list where the type comes from the context on DuckDB (`[]`), of `type` on PostgreSQL. -#}
    {{ return(adapter.dispatch('no_items', 'leadflow')(type)) }}
{%- endmacro %}

{% macro duckdb__no_items(type) -%}
    []
{%- endmacro %}

{% macro postgres__no_items(type) -%}
    cast(array[] as {{ type }}[])
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

{% macro arg_min(value, ordering, filter=none) -%}
    {#- The value of the row with the least ordering (an aggregate), among the rows where
        `filter` holds if given. A row constructor `(a, b)` orders field by field, nulls last. -#}
    {{ return(adapter.dispatch('arg_min', 'leadflow')(value, ordering, filter)) }}
{%- endmacro %}

{% macro duckdb__arg_min(value, ordering, filter) -%}
    arg_min({{ value }}, {{ ordering }}){{ ' filter (where ' ~ filter ~ ')' if filter is not none }}
{%- endmacro %}

{% macro postgres__arg_min(value, ordering, filter) -%}
    {#- A row constructor is never null as a whole (DuckDB's struct): no filter on it. -#}
    {%- set conditions = [] if ordering.strip().startswith('(') else [ordering ~ ' is not null'] -%}
    {%- if filter is not none %}{% do conditions.append('(' ~ filter ~ ')') %}{% endif -%}
    (array_agg({{ value }} order by {{ ordering }}){{ ' filter (where ' ~ conditions | join(' and ') ~ ')' if conditions }})[1]
{%- endmacro %}

{% macro arg_max(value, ordering, filter=none) -%}
    {#- The value of the row with the greatest ordering (an aggregate); see arg_min. -#}
    {{ return(adapter.dispatch('arg_max', 'leadflow')(value, ordering, filter)) }}
{%- endmacro %}

{% macro duckdb__arg_max(value, ordering, filter) -%}
    arg_max({{ value }}, {{ ordering }}){{ ' filter (where ' ~ filter ~ ')' if filter is not none }}
{%- endmacro %}

{% macro postgres__arg_max(value, ordering, filter) -%}
    {%- set conditions = [] if ordering.strip().startswith('(') else [ordering ~ ' is not null'] -%}
    {%- if filter is not none %}{% do conditions.append('(' ~ filter ~ ')') %}{% endif -%}
    (array_agg({{ value }} order by {{ ordering }} desc){{ ' filter (where ' ~ conditions | join(' and ') ~ ')' if conditions }})[1]
{%- endmacro %}

{% macro sorted_list(value, filter=none) -%}
    {#- The values as a sorted list (an aggregate), of the rows where `filter` holds if given. -#}
    {{ return(adapter.dispatch('sorted_list', 'leadflow')(value, filter)) }}
{%- endmacro %}

{% macro duckdb__sorted_list(value, filter) -%}
    list_sort(list({{ value }}){{ ' filter (where ' ~ filter ~ ')' if filter is not none }})
{%- endmacro %}

{% macro postgres__sorted_list(value, filter) -%}
    array_agg({{ value }} order by {{ value }}){{ ' filter (where ' ~ filter ~ ')' if filter is not none }}
{%- endmacro %}

{% macro list_length(expression) -%}
    {#- The number of items of a list (an array on PostgreSQL). -#}
    {{ return(adapter.dispatch('list_length', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__list_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro postgres__list_length(expression) -%}
    cardinality({{ expression }})
{%- endmacro %}

{% macro epoch_us(expression) -%}
    {#- A timestamp as microseconds since 1970. -#}
    {{ return(adapter.dispatch('epoch_us', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_us(expression) -%}
    epoch_us({{ expression }})
{%- endmacro %}

{% macro postgres__epoch_us(expression) -%}
    cast(extract(epoch from {{ expression }}) * 1000000 as bigint)
{%- endmacro %}

{% macro star_exclude(alias, excluded, columns) -%}
    {#- alias.* (or *, alias none) less the excluded columns. PostgreSQL has no `* exclude`: there alias's columns
        (`columns`, the excluded ones among them or not) are listed. -#}
    {{ return(adapter.dispatch('star_exclude', 'leadflow')(alias, excluded, columns)) }}
{%- endmacro %}

{% macro duckdb__star_exclude(alias, excluded, columns) -%}
    {{ alias ~ '.' if alias is not none }}*{{ ' exclude (' ~ excluded | join(', ') ~ ')' if excluded }}
{%- endmacro %}

{% macro postgres__star_exclude(alias, excluded, columns) -%}
    {%- if columns is none -%}
    {#- No columns given: all of them, the excluded ones too (where whoever reads names its columns). -#}
    {{ alias ~ '.' if alias is not none }}*
    {%- endif -%}
    {%- for column in columns or [] if column not in excluded %}
        {{ alias ~ '.' if alias is not none }}{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro interval_of(amount, unit) -%}
    {#- A constant interval: `amount` (a number) `unit`s. -#}
    {{ return(adapter.dispatch('interval_of', 'leadflow')(amount, unit)) }}
{%- endmacro %}

{% macro duckdb__interval_of(amount, unit) -%}
    interval {{ amount }} {{ unit }}
{%- endmacro %}

{% macro postgres__interval_of(amount, unit) -%}
    interval '{{ amount }} {{ unit }}'
{%- endmacro %}

{% macro insert_or_replace(table, key) -%}
    {#- The start of an insert whose rows replace those of the same `key` (the primary key). -#}
    {{ return(adapter.dispatch('insert_or_replace', 'leadflow')(table, key)) }}
{%- endmacro %}

{% macro duckdb__insert_or_replace(table, key) -%}
    insert or replace into {{ table }}
{%- endmacro %}

{% macro postgres__insert_or_replace(table, key) -%}
    {#- PostgreSQL needs the conflict clause after the rows: on_conflict_replace(columns) ends it. -#}
    insert into {{ table }}
{%- endmacro %}

{% macro on_conflict_replace(key, columns) -%}
    {#- The end of insert_or_replace's statement (nothing on DuckDB). -#}
    {{ return(adapter.dispatch('on_conflict_replace', 'leadflow')(key, columns)) }}
{%- endmacro %}

{% macro duckdb__on_conflict_replace(key, columns) -%}
{%- endmacro %}

{% macro postgres__on_conflict_replace(key, columns) -%}
    on conflict ({{ key }}) do update set
    {%- for column in columns if column != key %} {{ column }} = excluded.{{ column }}{{ ',' if not loop.last }}{% endfor %}
{%- endmacro %}

{% macro semi_join(relation, condition, where=none) -%}
    {#- The rows with a match in `relation` (a name or `(subquery) as alias`) on `condition`, each
        once, then the query's `where` if any. PostgreSQL has no semi join: a where exists there
        (planned as a hashed semi join). -#}
    {{ return(adapter.dispatch('semi_join', 'leadflow')(relation, condition, where, false)) }}
{%- endmacro %}

{% macro anti_join(relation, condition, where=none) -%}
    {#- The rows without a match in `relation` on `condition`, then the query's `where` if any. -#}
    {{ return(adapter.dispatch('semi_join', 'leadflow')(relation, condition, where, true)) }}
{%- endmacro %}

{% macro duckdb__semi_join(relation, condition, where, anti) -%}
    {{ 'anti' if anti else 'semi' }} join {{ relation }}
        on {{ condition }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}

{% macro postgres__semi_join(relation, condition, where, anti) -%}
    where {{ 'not ' if anti }}exists (select 1 from {{ relation }} where {{ condition }})
    {%- if where is not none %}
        and ({{ where }})
    {%- endif %}
{%- endmacro %}

{% macro union_all_by_name(relations, columns, sparse={}) -%}
    {#- Every row of the relations, their columns matched by name. PostgreSQL matches them by
        position: there `columns` are listed, null for a relation without one (sparse: a column
        only some relations have, and which). -#}
    {{ return(adapter.dispatch('union_all_by_name', 'leadflow')(relations, columns, sparse)) }}
{%- endmacro %}

{% macro duckdb__union_all_by_name(relations, columns, sparse) -%}
    {%- for relation in relations %}
        select * from {{ relation }}
        {{- '\n        union all by name' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro postgres__union_all_by_name(relations, columns, sparse) -%}
    {%- for relation in relations %}
        select
        {%- for column in columns %}
            {{ column if column not in sparse or relation in sparse[column] else 'null as ' ~ column }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ relation }}
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro text_list(items) -%}
    {#- A literal list of text values (items: quoted literals). -#}
    {{ return(adapter.dispatch('text_list', 'leadflow')(items)) }}
{%- endmacro %}

{% macro duckdb__text_list(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro postgres__text_list(items) -%}
    cast(array[{{ items | join(', ') }}] as varchar[])
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

{% macro create_or_replace_table(name) -%}
    {#- The start of `create or replace table name as <query>`. -#}
    {{ return(adapter.dispatch('create_or_replace_table', 'leadflow')(name)) }}
{%- endmacro %}

{% macro duckdb__create_or_replace_table(name) -%}
    create or replace table {{ name }} as
{%- endmacro %}

{% macro postgres__create_or_replace_table(name) -%}
    drop table if exists {{ name }};
    create table {{ name }} as
{%- endmacro %}

{% macro group_by_all(columns) -%}
    {#- `group by all`: every column not aggregated. PostgreSQL has no group by all: there the
        select list's positions (columns: a list of them, or n for the first n). -#}
    {{ return(adapter.dispatch('group_by_all', 'leadflow')(columns)) }}
{%- endmacro %}

{% macro duckdb__group_by_all(columns) -%}
    group by all
{%- endmacro %}

{% macro postgres__group_by_all(columns) -%}
    group by {{ (range(1, columns + 1) if columns is number else columns) | join(', ') }}
{%- endmacro %}

{% macro any_value(expression) -%}
    {#- Any value of the group (an aggregate; the same in every row where it is used). -#}
    {{ return(adapter.dispatch('any_value', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__any_value(expression) -%}
    any_value({{ expression }})
{%- endmacro %}

{% macro postgres__any_value(expression) -%}
    min({{ expression }})
{%- endmacro %}

{% macro epoch_seconds(expression) -%}
    {#- A timestamp as seconds since 1970 (with their fraction). -#}
    {{ return(adapter.dispatch('epoch_seconds', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(expression) -%}
    epoch({{ expression }})
{%- endmacro %}

{% macro postgres__epoch_seconds(expression) -%}
    cast(extract(epoch from {{ expression }}) as double precision)
{%- endmacro %}

{% macro seconds_between(start, end) -%}
    {#- DuckDB's date_diff('second', start, end): the second boundaries crossed from start to end. -#}
    {{ return(adapter.dispatch('seconds_between', 'leadflow')(start, end)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
    date_diff('second', {{ start }}, {{ end }})
{%- endmacro %}

{% macro postgres__seconds_between(start, end) -%}
    {#- A double, so that what it is divided by stays a double (as DuckDB's bigint / 86400.0). -#}
    cast(floor(extract(epoch from {{ end }})) - floor(extract(epoch from {{ start }})) as double precision)
{%- endmacro %}

{% macro round_to(expression, digits) -%}
    {#- A double rounded to `digits` decimals, still a double (PostgreSQL rounds numerics only). -#}
    {{ return(adapter.dispatch('round_to', 'leadflow')(expression, digits)) }}
{%- endmacro %}

{% macro duckdb__round_to(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}

{% macro ordered_list(value, ordering) -%}
    {#- The values as a list in `ordering` (an aggregate). -#}
    {{ return(adapter.dispatch('ordered_list', 'leadflow')(value, ordering)) }}
{%- endmacro %}

{% macro duckdb__ordered_list(value, ordering) -%}
    list({{ value }} order by {{ ordering }})
{%- endmacro %}

{% macro postgres__ordered_list(value, ordering) -%}
    array_agg({{ value }} order by {{ ordering }})
{%- endmacro %}

{% macro sum_in_range_before(value, partition_by, order_by, offset, variable, values_query) -%}
    {#- sum(value) over the rows of the partition whose order_by lies within `offset` before this
        row's (this row left out). offset: an expression of the column `variable`, constant in a
        partition. PostgreSQL takes constant offsets only: there one window per value of
        `variable` (values_query lists them) and a case picks the row's. -#}
    {{ return(adapter.dispatch('sum_in_range_before', 'leadflow')(value, partition_by, order_by, offset, variable, values_query)) }}
{%- endmacro %}

{% macro duckdb__sum_in_range_before(value, partition_by, order_by, offset, variable, values_query) -%}
    sum({{ value }}) over (
                partition by {{ partition_by }} order by {{ order_by }}
                range between {{ offset }} preceding and current row
                exclude current row
            )
{%- endmacro %}

{% macro postgres__sum_in_range_before(value, partition_by, order_by, offset, variable, values_query) -%}
    {%- set values = run_query(values_query).columns[0].values() if execute else [] -%}
    case {{ variable }}
    {%- for known in values %}
        when {{ known }} then sum({{ value }}) over (
            partition by {{ partition_by }} order by {{ order_by }}
            range between {{ offset | replace(variable, known | string) }} preceding and current row
            exclude current row
        )
    {%- endfor %}
    end
{%- endmacro %}

{% macro list_of(items) -%}
    {#- A list of the expressions `items` (an array on PostgreSQL). -#}
    {{ return(adapter.dispatch('list_of', 'leadflow')(items)) }}
{%- endmacro %}

{% macro duckdb__list_of(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro postgres__list_of(items) -%}
    array[{{ items | join(', ') }}]
{%- endmacro %}

{% macro microseconds(expression) -%}
    {#- An interval of `expression` (a bigint) microseconds. -#}
    {{ return(adapter.dispatch('microseconds', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__microseconds(expression) -%}
    to_microseconds({{ expression }})
{%- endmacro %}

{% macro postgres__microseconds(expression) -%}
    (({{ expression }}) * interval '1 microsecond')
{%- endmacro %}

{% macro round_whole(expression) -%}
    {#- A number rounded to a whole one, halves away from zero (PostgreSQL rounds a double's
        halves to even: its numerics round as DuckDB does). -#}
    {{ return(adapter.dispatch('round_whole', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__round_whole(expression) -%}
    round({{ expression }})
{%- endmacro %}

{% macro postgres__round_whole(expression) -%}
    round(cast({{ expression }} as numeric))
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

{% macro days_of(expression, constant=false) -%}
    {#- An interval of `expression` (an integer) days. constant: where PostgreSQL needs a
        constant (a window's range), the expression (a setting) is read when the model compiles. -#}
    {{ return(adapter.dispatch('days_of', 'leadflow')(expression, constant)) }}
{%- endmacro %}

{% macro duckdb__days_of(expression, constant) -%}
    to_days({{ expression }})
{%- endmacro %}

{% macro postgres__days_of(expression, constant) -%}
    {%- if constant -%}
    {%- set days = run_query('select ' ~ expression).columns[0].values()[0] if execute else 0 -%}
    interval '{{ days }} day'
    {%- else -%}
    (({{ expression }}) * interval '1 day')
    {%- endif -%}
{%- endmacro %}

{% macro having_output(condition) -%}
    {#- A having clause on the select list's names. PostgreSQL cannot name them there: it is left
        out (use it only where whoever reads the rows filters them the same way). -#}
    {{ return(adapter.dispatch('having_output', 'leadflow')(condition)) }}
{%- endmacro %}

{% macro duckdb__having_output(condition) -%}
    having {{ condition }}
{%- endmacro %}

{% macro postgres__having_output(condition) -%}
{%- endmacro %}

{% macro union_by_name() -%}
    {#- Between two selects: union all, columns matched by name. PostgreSQL matches them by
        position: there each select lists every column in the same order (select_by_name). -#}
    {{ return(adapter.dispatch('union_by_name', 'leadflow')()) }}
{%- endmacro %}

{% macro duckdb__union_by_name() -%}
    union all by name
{%- endmacro %}

{% macro postgres__union_by_name() -%}
    union all
{%- endmacro %}

{% macro select_by_name(columns, given) -%}
    {#- A select list for a union by name: `given` ({column: expression}, in any order). On
        PostgreSQL every one of `columns`, in that order, null where not given. -#}
    {{ return(adapter.dispatch('select_by_name', 'leadflow')(columns, given)) }}
{%- endmacro %}

{% macro duckdb__select_by_name(columns, given) -%}
    {%- for column, expression in given.items() %}
        {{ expression }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro postgres__select_by_name(columns, given) -%}
    {%- for column in columns %}
        {{ given.get(column, 'null') }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro non_null_list(item) -%}
    {#- A call block: the list of its comma-separated expressions that are not null. item: the
        lambda's variable on DuckDB. -#}
    {{ return(adapter.dispatch('non_null_list', 'leadflow')(caller(), item)) }}
{%- endmacro %}

{% macro duckdb__non_null_list(items, item) -%}
    list_filter([{{ items }}], {{ item }} -> {{ item }} is not null)
{%- endmacro %}

{% macro postgres__non_null_list(items, item) -%}
    array_remove(array[{{ items }}], null)
{%- endmacro %}

{% macro list_contains(list, value) -%}
    {{ return(adapter.dispatch('list_contains', 'leadflow')(list, value)) }}
{%- endmacro %}

{% macro duckdb__list_contains(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}

{% macro postgres__list_contains(list, value) -%}
    ({{ value }} = any({{ list }}))
{%- endmacro %}

{% macro unnest_range(start, stop) -%}
    {#- In a select list: a row per whole number from start up to stop (excluded). -#}
    {{ return(adapter.dispatch('unnest_range', 'leadflow')(start, stop)) }}
{%- endmacro %}

{% macro duckdb__unnest_range(start, stop) -%}
    unnest(range({{ start }}, {{ stop }}))
{%- endmacro %}

{% macro postgres__unnest_range(start, stop) -%}
    generate_series({{ start }}, ({{ stop }}) - 1)
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

{% macro distinct_on(partition) -%}
    {#- After `select`: with first_per(partition, ordering) ending the query, its first row per
        partition (qualify on DuckDB, distinct on on PostgreSQL). -#}
    {{ return(adapter.dispatch('distinct_on', 'leadflow')(partition)) }}
{%- endmacro %}

{% macro duckdb__distinct_on(partition) -%}
{%- endmacro %}

{% macro postgres__distinct_on(partition) -%}
    distinct on ({{ partition }})
{%- endmacro %}

{% macro first_per(partition, ordering) -%}
    {{ return(adapter.dispatch('first_per', 'leadflow')(partition, ordering)) }}
{%- endmacro %}

{% macro duckdb__first_per(partition, ordering) -%}
    qualify row_number() over (partition by {{ partition }} order by {{ ordering }}) = 1
{%- endmacro %}

{% macro postgres__first_per(partition, ordering) -%}
    order by {{ partition }}, {{ ordering }}
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

{% macro unnest_dates(first_day, last_day) -%}
    {#- In a select list: a row per date from first_day up to last_day (excluded). -#}
    {{ return(adapter.dispatch('unnest_dates', 'leadflow')(first_day, last_day)) }}
{%- endmacro %}

{% macro duckdb__unnest_dates(first_day, last_day) -%}
    cast(unnest(range(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day)) as date)
{%- endmacro %}

{% macro postgres__unnest_dates(first_day, last_day) -%}
    cast(generate_series(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp) - interval '1 day', interval '1 day') as date)
{%- endmacro %}

{% macro day_of_week(expression) -%}
    {#- 0 for Sunday to 6 for Saturday. -#}
    {{ return(adapter.dispatch('day_of_week', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__day_of_week(expression) -%}
    dayofweek({{ expression }})
{%- endmacro %}

{% macro postgres__day_of_week(expression) -%}
    cast(extract(dow from {{ expression }}) as integer)
{%- endmacro %}

{% macro seconds_of(expression) -%}
    {#- An interval of `expression` (an integer) seconds. -#}
    {{ return(adapter.dispatch('seconds_of', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__seconds_of(expression) -%}
    to_seconds({{ expression }})
{%- endmacro %}

{% macro postgres__seconds_of(expression) -%}
    (({{ expression }}) * interval '1 second')
{%- endmacro %}

{% macro asof_left_join(relation, alias, condition, before, ordering) -%}
    {#- Left join to the one row of `relation` (as `alias`) meeting `condition` whose `ordering`
        column comes last under `before` (an inequality on it, e.g. x > alias.ordering): DuckDB's
        asof join; a lateral top-1 on PostgreSQL. -#}
    {{ return(adapter.dispatch('asof_left_join', 'leadflow')(relation, alias, condition, before, ordering)) }}
{%- endmacro %}

{% macro duckdb__asof_left_join(relation, alias, condition, before, ordering) -%}
    asof left join {{ relation }} as {{ alias }}
        on {{ condition }} and {{ before }}
{%- endmacro %}

{% macro postgres__asof_left_join(relation, alias, condition, before, ordering) -%}
    left join lateral (
        select * from {{ relation }} as {{ alias }}
        where {{ condition }} and {{ before }}
        order by {{ ordering }} desc
        limit 1
    ) as {{ alias }} on true
{%- endmacro %}

{% macro qualify(condition) -%}
    {#- A call block around a select: its rows where `condition` (on window functions) holds.
        PostgreSQL has no qualify: there the select, with the condition as a first column
        is_qualified, is filtered from outside (so readers must name the columns they read). -#}
    {{ return(adapter.dispatch('qualify', 'leadflow')(caller(), condition)) }}
{%- endmacro %}

{% macro duckdb__qualify(query, condition) -%}
    {{ query }}
    qualify
        {{ condition }}
{%- endmacro %}

{% macro postgres__qualify(query, condition) -%}
    select * from (
        {{ query.replace('select', 'select (' ~ condition ~ ') as is_qualified,', 1) }}
    ) as qualifying
    where is_qualified
{%- endmacro %}

{% macro median(expression) -%}
    {#- The median (interpolated between the middle two), an aggregate. -#}
    {{ return(adapter.dispatch('median', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro postgres__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro divide(numerator, denominator) -%}
    {#- A quotient as a double, also of two integers (PostgreSQL would divide them whole). -#}
    {{ return(adapter.dispatch('divide', 'leadflow')(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__divide(numerator, denominator) -%}
    {{ numerator }} / {{ denominator }}
{%- endmacro %}

{% macro postgres__divide(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / {{ denominator }}
{%- endmacro %}

{% macro format_time(expression, format) -%}
    {#- A date or timestamp as text, `format` in strftime's terms (the ones below). -#}
    {{ return(adapter.dispatch('format_time', 'leadflow')(expression, format)) }}
{%- endmacro %}

{% macro duckdb__format_time(expression, format) -%}
    strftime({{ expression }}, '{{ format }}')
{%- endmacro %}

{% macro postgres__format_time(expression, format) -%}
    {%- set formats = {'%Y-%m-%d': 'YYYY-MM-DD', '%Y-%m-%dT%H:%M:%S.%gZ': 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'} -%}
    {%- if format not in formats -%}
        {{ exceptions.raise_compiler_error("format_time: no PostgreSQL format for " ~ format) }}
    {%- endif -%}
    to_char({{ expression }}, '{{ formats[format] }}')
{%- endmacro %}

{% macro unpivot(relation, key, columns, name, value) -%}
    {#- A row per key and column ({column: expression}) of the relation, the column's name in
        `name`, its value in `value` (nulls left out). -#}
    {{ return(adapter.dispatch('unpivot', 'leadflow')(relation, key, columns, name, value)) }}
{%- endmacro %}

{% macro duckdb__unpivot(relation, key, columns, name, value) -%}
    unpivot (
            select
                {{ key }},
                {%- for column, expression in columns.items() %}
                {{ expression }} as {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
        ) on columns(* exclude ({{ key }})) into name {{ name }} value {{ value }}
{%- endmacro %}

{% macro postgres__unpivot(relation, key, columns, name, value) -%}
    select unpivoted.{{ key }}, columns.{{ name }}, columns.{{ value }}
        from {{ relation }} as unpivoted
        cross join lateral (values
            {%- for column, expression in columns.items() %}
            ('{{ column }}', unpivoted.{{ expression }}){{ ',' if not loop.last }}
            {%- endfor %}
        ) as columns ({{ name }}, {{ value }})
        where columns.{{ value }} is not null
{%- endmacro %}

{% macro typed_null(type) -%}
    {#- A null that unions with `type`: DuckDB types a bare null from the union, PostgreSQL
        makes a CTE's bare null text. -#}
    {{ return(adapter.dispatch('typed_null', 'leadflow')(type)) }}
{%- endmacro %}

{% macro duckdb__typed_null(type) -%}
    null
{%- endmacro %}

{% macro postgres__typed_null(type) -%}
    cast(null as {{ type }})
{%- endmacro %}
