{#- Query shapes DuckDB has and PostgreSQL lacks (qualify, semi and asof joins, * exclude, union by name, group by all ...), written out for PostgreSQL (cross_db.sql says how each dispatches). -#}

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
