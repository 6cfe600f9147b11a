{#- A key: no nulls and no duplicates, in one query (one node instead of unique + not_null). -#}
{% test primary_key(model, column_name) %}
select {{ column_name }} as key_value, count(*) as rows_with_key
from {{ model }}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1
{% endtest %}
