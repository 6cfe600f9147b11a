{#- Lists: DuckDB's lists, PostgreSQL's arrays (cross_db.sql says how each dispatches). -#}

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
