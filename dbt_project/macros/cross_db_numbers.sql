{#- Aggregates and arithmetic that DuckDB and PostgreSQL spell or round differently (cross_db.sql says how each dispatches). -#}

{% macro arg_min(value, ordering, filter=none) -%}
    {#- The value of the row with the least ordering (an aggregate), among the rows where
        `filter` holds if given. A row constructor `(a, b)` orders field by field, nulls last;
        order_key gives that order as one value, which DuckDB compares faster. -#}
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

{% macro order_key(fields) -%}
    {#- One value that orders as `fields` do, field by field, nulls last: an ordering for arg_min
        and arg_max. DuckDB compares a struct key field by field at every row it aggregates; the
        binary sort key (create_sort_key) compares as bytes (int_people_unified's 17 survivorship
        aggregates over 1,637,553 records: about 5.0 -> 4.0 s). PostgreSQL: a row constructor. -#}
    {{ return(adapter.dispatch('order_key', 'leadflow')(fields)) }}
{%- endmacro %}

{% macro duckdb__order_key(fields) -%}
    create_sort_key({% for field in fields %}{{ field }}, 'ASC NULLS LAST'{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro postgres__order_key(fields) -%}
    ({{ fields | join(', ') }})
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
