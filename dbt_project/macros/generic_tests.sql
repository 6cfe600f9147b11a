{#- A key: no nulls and no duplicates, in one query (one node instead of unique + not_null).
    touched_people_only, for a model the nightly keeps per person (int_activities): only the rows
    of the people it recomputed are checked; the others were when written, and the key holds the
    person's id, so no two people's rows can share one.
    landed_only, for a staging table kept up to date by its key (delete+insert on it): only the
    keys of the rows landed since the incremental models' last build are checked, against every
    row (all keys in a full build); older keys were checked when written. -#}
{% test primary_key(model, column_name, touched_people_only=false, landed_only=false) %}
select {{ column_name }} as key_value, count(*) as rows_with_key
from {{ model }}
{% if touched_people_only -%}
where {{ touched_people_condition(for_model=model.identifier) }}
{% elif landed_only -%}
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
