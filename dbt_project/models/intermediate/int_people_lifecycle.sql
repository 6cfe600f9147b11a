-- Each person's lifecycle from the evidence of int_lifecycle_events. Stages only move
-- forward - reaching a later stage reaches the earlier ones too - except through the explicit
-- path of int_recycle_events: a recycle or disqualification sends the person back to lead and
-- starts a new segment of their history, in which MQL and SQL evidence counts only after the
-- cool-off (opportunity and customer evidence always counts) and evidence from before the
-- recycle no longer counts.
-- Per stage: when it was first reached (<stage>_at) and last entered (<stage>_last_entered_at);
-- a stage first reached only through a later one (an SQL who never was an MQL) is flagged
-- inferred. pql_at and cql_at are the tracks beside MQL.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build
-- (as int_lifecycle_events), and those whose evidence or recycles came due since the last
-- run date (int_touched_people).
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
-- depends_on: {{ ref('int_score_bases') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people(also=rebased_people(), lifecycle=true) }}",
    post_hook="{{ record_increment() }}",
) }}
{%- set recomputed -%}
    {%- if is_incremental() %} and {{ touched_people_condition(also=rebased_people(), lifecycle=true) }}{% endif -%}
{%- endset %}
{#- The evidence up to the run date, read where needed rather than through one CTE: DuckDB would
    materialize a CTE read three times. -#}
{%- set events -%}
    (select * from {{ ref('int_lifecycle_events') }} where reached_at < {{ as_of_end() }}{{ recomputed }})
{%- endset %}
with

-- A person whose CRM records were all created after the run date (a backfill's past date) is not
-- one yet: no row, until the first record's creation comes due. A person with no date at all is
-- kept (and its missing stage fails the build's tests rather than going unseen).
people as (
    select * from {{ ref('int_people_unified') }}
    where {{ known_by_run_date() }}{{ recomputed }}
),

recycles as (
    select * from {{ ref('int_recycle_events') }} where recycled_at < {{ as_of_end() }}{{ recomputed }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

-- Segments and cool-offs only concern people recycled at least once (a tenth of the
-- benchmark's company): the others' evidence is all in segment 0, with no window to run.
-- int_lifecycle_events is read twice rather than through one CTE, which DuckDB would
-- materialize.
timeline as (
    select
        events.person_id,
        events.reached_at as happened_at,
        1 as kind_order,
        events.stage_order,
        events.rule_type,
        events.match_value,
        cast(null as timestamp) as cooloff_until
    from {{ events }} as events
    {{ semi_join('recycles', 'recycles.person_id = events.person_id', where='events.stage_order is not null') }}
    union all
    -- A recycle comes before evidence of the same moment.
    select person_id, recycled_at, 0, null, 'recycle', action || ':' || rule, cooloff_until
    from recycles
),

segmented as (
    select
        *,
        count(*) filter (where kind_order = 0) over (
            partition by person_id order by happened_at, kind_order
            rows between unbounded preceding and current row
        ) as segment
    from timeline
),

with_cooloff as (
    select
        *,
        max(cooloff_until) over (partition by person_id, segment) as segment_cooloff_until
    from segmented
),

counted as (
    select
        events.person_id,
        0 as segment,
        events.reached_at as happened_at,
        events.stage_order,
        events.rule_type,
        events.match_value
    from {{ events }} as events
    {{ anti_join('recycles', 'recycles.person_id = events.person_id', where='events.stage_order is not null') }}
    union all
    select person_id, segment, happened_at, stage_order, rule_type, match_value
    from with_cooloff
    where
        kind_order = 1
        and (
            segment = 0
            or happened_at >= segment_cooloff_until
            or stage_order >= (select stage_order from lifecycle_stages where stage = 'opportunity')
        )
    union all
    -- After a recycle the person is a lead again.
    select person_id, segment, happened_at, (select stage_order from lifecycle_stages where stage = 'lead'), 'recycle', match_value
    from with_cooloff
    where kind_order = 0
),

-- Per person, segment and stage order first; then each stage gets the earliest of its own
-- order and the later ones (reaching a later stage reaches the earlier ones too).
by_order as (
    select
        person_id,
        segment,
        stage_order,
        min(happened_at) as entered_at,
        -- Evidence of the stage itself; a date leadflow wrote is memory, not evidence.
        min(happened_at) filter (where rule_type not in ('recorded_date', 'recycle')) as direct_at,
        -- Rules met at the same moment: the first by name, the same from build to build.
        {{ arg_min(
            "rule_type || ':' || match_value",
            order_key(["rule_type = 'recorded_date'", 'happened_at', "rule_type || ':' || match_value"])
        ) }} as first_rule
    from counted
    group by person_id, segment, stage_order
),

entries as (
    select
        by_order.person_id,
        by_order.segment,
        lifecycle_stages.stage,
        lifecycle_stages.stage_order,
        min(by_order.entered_at) as entered_at,
        min(by_order.direct_at) filter (where by_order.stage_order = lifecycle_stages.stage_order) as direct_at,
        min(by_order.first_rule) filter (where by_order.stage_order = lifecycle_stages.stage_order) as first_rule
    from by_order
    inner join lifecycle_stages
        on lifecycle_stages.stage_order <= by_order.stage_order
    group by by_order.person_id, by_order.segment, lifecycle_stages.stage, lifecycle_stages.stage_order
),

last_segments as (
    select
        person_id,
        max(segment) as segment
    from entries
    group by person_id
),

per_stage as (
    select
        entries.person_id,
        entries.stage,
        min(entries.entered_at) as reached_at,
        max(entries.entered_at) as last_entered_at,
        min(entries.direct_at) as direct_at,
        {{ arg_min('entries.first_rule', 'entries.segment') }} as first_rule,
        bool_or(entries.segment = last_segments.segment) as is_current_segment
    from entries
    inner join last_segments
        on last_segments.person_id = entries.person_id
    group by entries.person_id, entries.stage
),

stages as (
    select
        per_stage.person_id,
        {{ arg_max('per_stage.stage', 'lifecycle_stages.stage_order', 'per_stage.is_current_segment') }}
            as lifecycle_stage,
        max(lifecycle_stages.stage_order) filter (where per_stage.is_current_segment) as lifecycle_stage_order,
        {% for stage in ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] -%}
        min(per_stage.reached_at) filter (where per_stage.stage = '{{ stage }}') as {{ stage }}_at,
        min(per_stage.last_entered_at) filter (where per_stage.stage = '{{ stage }}') as {{ stage }}_last_entered_at,
        {% if stage != 'subscriber' -%}
        coalesce(
            bool_or(per_stage.direct_at is null or per_stage.direct_at > per_stage.reached_at)
                filter (where per_stage.stage = '{{ stage }}'),
            false
        ) as is_{{ stage }}_inferred,
        {% endif -%}
        {% endfor -%}
        min(per_stage.first_rule) filter (where per_stage.stage = 'mql') as mql_rule,
        min(per_stage.first_rule) filter (where per_stage.stage = 'sql') as sql_rule
    from per_stage
    inner join lifecycle_stages
        on lifecycle_stages.stage = per_stage.stage
    group by per_stage.person_id
),

tracks as (
    select
        person_id,
        min(reached_at) filter (where stage = 'pql') as pql_at,
        min(reached_at) filter (where stage = 'cql') as cql_at
    from {{ events }} as events
    where stage in ('pql', 'cql')
    group by person_id
),

last_recycles as (
    select
        person_id,
        count(*) as recycle_count,
        max(recycled_at) as recycled_at,
        {{ arg_max('action', 'recycled_at') }} as recycle_action,
        {{ arg_max('rule', 'recycled_at') }} as recycle_rule,
        {{ arg_max('cooloff_until', 'recycled_at') }} as cooloff_until
    from recycles
    group by person_id
),

{#- stages' columns but person_id, for PostgreSQL (no * exclude there). -#}
{%- set stage_columns = ['lifecycle_stage', 'lifecycle_stage_order'] %}
{%- for stage in ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] %}
    {%- do stage_columns.extend([stage ~ '_at', stage ~ '_last_entered_at']) %}
    {%- if stage != 'subscriber' %}{% do stage_columns.append('is_' ~ stage ~ '_inferred') %}{% endif %}
{%- endfor %}
{%- do stage_columns.extend(['mql_rule', 'sql_rule']) %}
final as (
    select
        people.person_id,
        {{ star_exclude('stages', ['person_id'], stage_columns) }},
        tracks.pql_at,
        tracks.cql_at,
        coalesce(last_recycles.recycle_count, 0) as recycle_count,
        last_recycles.recycled_at,
        last_recycles.recycle_action,
        last_recycles.recycle_rule,
        last_recycles.cooloff_until
    from people
    left join stages
        on stages.person_id = people.person_id
    left join tracks
        on tracks.person_id = people.person_id
    left join last_recycles
        on last_recycles.person_id = people.person_id
)

select * from final
