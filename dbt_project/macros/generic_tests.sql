{#- A key: no nulls and no duplicates, in one query (one node instead of unique + not_null).
    touched_people_only, for a model the nightly keeps per person (int_activities): only the rows
    of the people it recomputed are checked; the others were when written, and the key holds the
    person's id, so no two people's rows can share one. -#}
{% test primary_key(model, column_name, touched_people_only=false) %}
select {{ column_name }} as key_value, count(*) as rows_with_key
from {{ model }}
{% if touched_people_only -%}
where {{ touched_people_condition(for_model=model.identifier) }}
{% endif -%}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1
{% endtest %}
