-- Every activity of every person across both CRMs, typed by the activity_mapping seed (the
-- rules are in macros/activities.sql). Kept up to date, not rebuilt: the nightly deletes the
-- activities of the people touched since the last build (int_touched_people) and reads theirs
-- again; a change of the rules or the code, a run date earlier than the last, or a form or
-- campaign changed reads everyone's again (int_build_window).
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
-- written_at: this build's start, on every row it writes. A nightly appends the rows it wrote
-- after the others, so a filter on it reads those rows' row groups only (the `written` rows of
-- the data tests): by person it would read every activity's person_id.
select
    activities.*,
    {{ build_started_at() }} as written_at
from (
    {%- if is_incremental() %}
    {{ activity_rows(people=touched_people_condition()) }}
    {%- else %}
    {{ activity_rows() }}
    {%- endif %}
) as activities
