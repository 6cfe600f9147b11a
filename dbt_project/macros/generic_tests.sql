{#- A key: no nulls and no duplicates, in one query (one node instead of unique + not_null).
    rows (written_rows): for a table the nightly keeps up to date, only the rows this build
    wrote are checked; the others were when written. With touched_people the key must hold the
    person's id, so that no two people's rows can share one.
    landed_only, for a staging table kept up to date by its key (delete+insert on it): only the
    keys of the rows landed since the incremental models' last build are checked, against every
    row (all keys in a full build); older keys were checked when written. -#}
{% test primary_key(model, column_name, rows=none, landed_only=false) %}
select {{ column_name }} as key_value, count(*) as rows_with_key
from {{ written_rows(model, rows) }}
{% if landed_only -%}
where
    {{ build_is_full() }}
    or _loaded_at > (select previous_loaded_watermark from {{ ref('int_build_window') }})
    or _loaded_at is null
    or {{ column_name }} in (
        select {{ column_name }} from {{ model }}
        where _loaded_at > (select previous_loaded_watermark from {{ ref('int_build_window') }})
    )
{% endif -%}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1
{% endtest %}

{#- An id made from a key (a hash of it, as int_people_records' person_id of match_key) stands for
    one key: no two keys share an id. rows (written_rows): in a nightly, the ids of the rows
    this build wrote, each checked against every row that has it. -#}
{% test one_key_per_id(model, column_name, key, rows=none) %}
select {{ column_name }} as id_value, count(distinct {{ key }}) as keys_with_id, min({{ key }}) as first_key, max({{ key }}) as last_key
from {{ model }}
{% if rows is not none -%}
where {{ column_name }} in (select {{ column_name }} from {{ written_rows(model, rows) }})
{% endif -%}
group by {{ column_name }}
having count(distinct {{ key }}) > 1
{% endtest %}

{#- dbt's accepted_values and relationships, with `rows`: the rows of a table kept up to date
    that this build wrote (written_rows). -#}
{% test accepted_values(model, column_name, values, quote=True, rows=none) %}
    {%- set macro = adapter.dispatch('test_accepted_values', 'dbt') -%}
    {{ macro(written_rows(model, rows), column_name, values, quote) }}
{% endtest %}

{% test relationships(model, column_name, to, field, rows=none) %}
    {%- set macro = adapter.dispatch('test_relationships', 'dbt') -%}
    {{ macro(written_rows(model, rows), column_name, to, field) }}
{% endtest %}

{#- The rows of `model`, a table the nightly keeps up to date, that this build wrote, so that a
    nightly test reads those rather than the millions checked when they were written (a full
    build writes, and checks, every row). rows:
      touched_people            the people a per-person model recomputed (int_activities);
      touched_people_lifecycle  the same for a lifecycle model (lifecycle touches and rebased
                                people too: int_lifecycle_events);
      rematched_records         the records int_people_records matched again;
      landed                    a staging table's rows landed since the last build;
      rewritten_people          the people mart's rows written again (int_people_mart_changes);
      written                   the rows the model's last build wrote (its written_at column:
                                int_activities); read by their row groups, not by person;
      none                      every row. -#}
{% macro written_rows(model, rows=none) -%}
    {%- if rows is none -%}
        {{- return(model) -}}
    {%- elif rows == 'touched_people' -%}
        {%- set condition = touched_people_condition(for_model=model.identifier) -%}
    {%- elif rows == 'touched_people_lifecycle' -%}
        {%- set condition = touched_people_condition(
            also=rebased_people(), for_model=model.identifier, lifecycle=true) -%}
    {%- elif rows == 'rematched_records' -%}
        {%- set condition = rematched_records_condition() -%}
    {%- elif rows == 'rewritten_people' -%}
        {%- set condition = rewritten_people_condition() -%}
    {%- elif rows == 'written' -%}
        {%- set condition = 'written_at >= ' ~ last_built_at(model.identifier) -%}
    {%- elif rows == 'landed' -%}
        {%- set since = '(select previous_loaded_watermark from ' ~ ref('int_build_window') ~ ')' -%}
        {%- set full = build_is_full() -%}
        {%- if full == 'true' -%}
            {{- return(model) -}}
        {%- elif full == 'false' -%}
            {{- return(loaded_after(model, since, 'written_rows')) -}}
        {%- endif -%}
        {%- set condition = '(' ~ full ~ ' or _loaded_at > ' ~ since ~ ' or _loaded_at is null)' -%}
    {%- else -%}
        {{- exceptions.raise_compiler_error(
            "rows: " ~ rows ~ " (test on " ~ model ~ ") is none of touched_people, touched_people_lifecycle, "
            ~ "rematched_records, landed, rewritten_people, written") -}}
    {%- endif -%}
    {{- return('(select * from ' ~ model ~ ' where ' ~ condition ~ ') as written_rows') -}}
{%- endmacro %}
