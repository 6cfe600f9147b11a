{#- The nightly's incremental models (int_activities, int_activity_caps ...) recompute only the
    people touched since their last build. Each records, once built, what it has seen
    (dbt_state.increments); int_build_window compares that with this build, int_touched_people
    lists the people to recompute. -#}

{% macro increment_models() -%}
    {{ return([
        'int_people_records', 'int_people_unified', 'int_people_fit', 'int_field_signals', 'int_negative_signals',
        'int_signal_points',
        'int_activities', 'int_activity_caps', 'int_decayed_points', 'int_tracked_counts', 'int_score_history',
        'int_activity_evidence', 'int_lifecycle_events', 'int_lead_status_changes', 'int_recycle_events',
        'int_people_lifecycle',
    ]) }}
{%- endmacro %}

{% macro ensure_increments_table() %}
    create schema if not exists dbt_state;
    create table if not exists dbt_state.increments (
        model varchar primary key,
        built_at timestamp,
        loaded_watermark timestamp,
        as_of_end timestamp,
        rules_hash varchar
    );
{% endmacro %}

{% macro build_started_at() -%}
    timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
{%- endmacro %}

{#- The newest load time in the raw tables the incremental models read. -#}
{% macro raw_loaded_watermark() -%}
    {%- set tables = [
        ('salesforce', 'lead'), ('salesforce', 'contact'), ('salesforce', 'campaign'),
        ('salesforce', 'campaign_member'), ('salesforce', 'task'), ('salesforce', 'event'),
        ('salesforce', 'lead_history'),
        ('hubspot', 'contacts'), ('hubspot', 'forms'), ('hubspot', 'form_submissions'),
        ('hubspot', 'email_events'), ('hubspot', 'web_events'), ('hubspot', 'calls'),
        ('hubspot', 'emails'), ('hubspot', 'meetings'), ('hubspot', 'notes'),
        ('hubspot', 'conversation_threads'), ('hubspot', 'conversation_messages'),
    ] -%}
    greatest(
        {%- for vendor, table in tables %}
        (select max(_loaded_at) from {{ source(vendor, table) }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Rows of a seed as one text, for the rules' hash. -#}
{% macro seed_text(seed) -%}
    (select coalesce(string_agg(cast(row as varchar), '|' order by cast(row as varchar)), '') from {{ ref(seed) }} as row)
{%- endmacro %}

{#- Pre-hook: the rows of the people touched go (everyone's, when the build is a full one).
    also: a query of more people to recompute. -#}
{% macro forget_touched_people(also=none, lifecycle=false) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ touched_people_condition(also, lifecycle=lifecycle) }}
    {%- endif -%}
{%- endmacro %}

{#- Does this build recompute everyone (int_build_window.is_full)? As SQL: `true` or `false`,
    read when the model, hook or test is rendered to run (int_build_window is built before
    every model that asks), else the subquery. A constant, the conditions below reduce to one
    `in` on the people or records, which DuckDB pushes into the scan of a large table; behind
    an `or` with a subquery it reads every row through the model's joins first.
    Read once per invocation: the answer is kept in the run's graph under its invocation_id
    (about a hundred nodes ask; a query each cost about 5 ms of dbt's work). -#}
{% macro build_is_full() -%}
    {%- set window = ref('int_build_window') -%}
    {%- if execute and model.resource_type in ('model', 'test', 'snapshot') -%}
        {%- set known = graph.get('leadflow_build_is_full') or {} -%}
        {%- if invocation_id in known -%}
            {{- return(known[invocation_id]) -}}
        {%- endif -%}
        {%- set relation = adapter.get_relation(window.database, window.schema, window.identifier) -%}
        {%- if relation is not none -%}
            {%- set rows = run_query('select is_full from ' ~ relation).rows -%}
            {%- if rows | length == 1 and rows[0][0] is not none -%}
                {%- set answer = 'true' if rows[0][0] else 'false' -%}
                {%- do graph.update({'leadflow_build_is_full': {invocation_id: answer}}) -%}
                {{- return(answer) -}}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{- return('(select is_full from ' ~ window ~ ')') -}}
{%- endmacro %}

{#- The people a model's incremental build reads again: touched since its own last build.
    for_model: in a test of that model, run once its build recorded itself: the people of that
    build (touched at or after it began). lifecycle: also those touched for their lifecycle only.
    also: a query of more people (in the same `in`: two would be an `or` of subqueries). -#}
{% macro touched_people_condition(also=none, for_model=none, lifecycle=false) -%}
    {%- set model_name = for_model if for_model is not none else this.identifier -%}
    (
        {{ build_is_full() }}
        or person_id in (
            select person_id from {{ ref('int_touched_people') }}
            where touched_at {{ '>=' if for_model is not none else '>' }} coalesce(
                (select built_at from dbt_state.increments where model = '{{ model_name }}'),
                '-infinity'::timestamp
            )
            {%- if not lifecycle %}
            and not is_lifecycle_only
            {%- endif %}
            {%- if also is not none %}
            union all
            {{ also }}
            {%- endif %}
        )
    )
{%- endmacro %}

{#- When the last build of the incremental model `model_name` began (dbt_state.increments), as
    a timestamp literal when the test or model using it is rendered to run (a constant, DuckDB
    skips the row groups whose written_at is all older), else the subquery; -infinity before
    the model's first build. -#}
{% macro last_built_at(model_name) -%}
    {%- set query = "select built_at from dbt_state.increments where model = '" ~ model_name ~ "'" -%}
    {%- if execute and model.resource_type in ('model', 'test', 'snapshot')
        and adapter.get_relation(target.database, 'dbt_state', 'increments') is not none -%}
        {%- set rows = run_query(query).rows -%}
        {%- if rows | length == 1 and rows[0][0] is not none -%}
            {{- return("timestamp '" ~ rows[0][0].strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'") -}}
        {%- endif -%}
        {{- return("'-infinity'::timestamp") -}}
    {%- endif -%}
    {{- return("coalesce((" ~ query ~ "), '-infinity'::timestamp)") -}}
{%- endmacro %}

{#- touched_people_condition for rows of int_activities (or a view of its rows with their
    written_at): the activities of the people this model recomputes. When int_activities was
    built in this invocation, it has written again every activity of those people since this
    model's last build, after the rows it kept: `written_at` after that build, a constant, lets
    DuckDB read those row groups only instead of every activity's person_id (the condition on
    the people stays, so an activity written for a person this model does not recompute is
    not read). Otherwise (int_activities not built in this invocation: its last build is not
    this one's start; a full build) the condition on the people. -#}
{% macro touched_activities_condition() -%}
    {%- set people = touched_people_condition() -%}
    {%- if build_is_full() == 'false' and last_built_at('int_activities') == build_started_at() | trim -%}
        (written_at > {{ last_built_at(this.identifier) }} and {{ people }})
    {%- else -%}
        {{ people }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: what this model has now seen. rules_hash: an SQL expression of the model's own
    rules (the people mart's), else int_build_window's. -#}
{% macro record_increment(rules_hash=none) -%}
    {{ insert_or_replace('dbt_state.increments', 'model') }}
    select '{{ this.identifier }}', built_at, loaded_watermark, as_of_end, {{ rules_hash or 'rules_hash' }}
    from {{ ref('int_build_window') }}
    {{- on_conflict_replace('model', ['model', 'built_at', 'loaded_watermark', 'as_of_end', 'rules_hash']) }}
{%- endmacro %}

{#- The people mart's rules: its code and the seeds only it reads. When they change, the mart is
    written again whole (int_people_mart_changes); the incremental models are not recomputed. -#}
{% macro people_mart_hash() -%}
    {%- set code = [] -%}
    {%- for node in (graph.get('nodes') or {}).values() if node.resource_type == 'model' and node.name == 'people' -%}
        {%- do code.append(node.raw_code) -%}
    {%- endfor -%}
    md5(
        '{{ local_md5(code | join("\n")) }}'
        || {{ seed_text('tier_thresholds') }}
        || {{ seed_text('engagement_levels') }}
    )
{%- endmacro %}

{#- The people whose row of the people mart this build writes again (int_people_mart_changes). -#}
{% macro rewritten_people_condition() -%}
    person_id in (select person_id from {{ ref('int_people_mart_changes') }})
{%- endmacro %}

{#- The people mart's pre-hook: the rows it writes again go. -#}
{% macro forget_people_mart_changes() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ rewritten_people_condition() }}
    {%- endif -%}
{%- endmacro %}

{#- int_score_history's people whose base (fit, field signals, negatives, first seen) changed. -#}
{% macro rebased_people() -%}
    select person_id from {{ ref('int_score_bases') }}
    where changed_at > (select previous_built_at from {{ ref('int_build_window') }})
{%- endmacro %}

{#- int_touched_people's pre-hook: the touches every incremental model has caught up with go. -#}
{% macro forget_caught_up_touches() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where touched_at <= (
        select min(built_at) from dbt_state.increments
        where model in ('{{ increment_models() | join("', '") }}')
    )
    {%- endif -%}
{%- endmacro %}

{#- int_touched_people's post-hook: the people's opportunities it saw, to compare with at its next
    build (a Salesforce contact role or HubSpot deal changed, came or went). -#}
{% macro remember_person_opportunities() -%}
    create schema if not exists dbt_state;
    {{ create_or_replace_table('dbt_state.person_opportunities_seen') }}
    select * from {{ ref('int_person_opportunities') }}
{%- endmacro %}

{#- The CRM records matched again in this build: all of them in a full build, else those
    int_identity_changes marks affected (landed since the last build, or their match can follow
    from those). key: the columns that name a record where the condition is used (a record_id is
    unique within its vendor: vendor and record_id will do). -#}
{% macro rematched_records_condition(key=('vendor', 'object_type', 'record_id')) -%}
    {%- set names = [] -%}
    {%- for column in key %}{% do names.append(column.split('.')[-1]) %}{% endfor -%}
    (
        {{ build_is_full() }}
        or ({{ key | join(', ') }}) in (
            select {{ names | join(', ') }} from {{ ref('int_identity_changes') }} where is_affected
        )
    )
{%- endmacro %}

{#- int_people_records' pre-hook: the rows of the records it matches again go, gone records'
    with them. -#}
{% macro forget_identity_changes() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ rematched_records_condition() }}
    {%- endif -%}
{%- endmacro %}
