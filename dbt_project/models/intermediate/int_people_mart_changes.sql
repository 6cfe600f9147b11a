-- The people whose row of the people mart this build writes again: the mart is kept up to date,
-- not rebuilt, since at a nightly most of its rows stay as they were.
--   1. the people the incremental models recomputed (int_touched_people: every touch kept, those
--      for the lifecycle only too) and those whose score base changed (int_people_lifecycle
--      recomputes them);
--   2. those whose engagement (it decays every day) or owner differs from their row in the mart;
--   3. those in the people but not in the mart, or in the mart but no longer among the people.
-- Everyone, the mart's people with them, when the mart is written again whole: a full build
-- (int_build_window.is_full), the mart's code or the seeds only it reads changed
-- (people_mart_hash), or the mart missed the incremental models' last build (its own, kept in
-- dbt_state.increments, is older). Everyone too at the mart's first build, which writes it.
-- depends_on: {{ ref('int_build_window') }}, {{ ref('int_touched_people') }}, {{ ref('int_score_bases') }}
-- depends_on: {{ ref('int_engagement_scores') }}, {{ ref('int_owner_assignment') }}
-- depends_on: {{ ref('tier_thresholds') }}, {{ ref('engagement_levels') }}
{%- set mart = adapter.get_relation(this.database, this.schema, 'people') %}
{%- if mart is none %}
select person_id from {{ ref('int_engagement_scores') }}
{%- else %}
with

build_window as (
    select * from {{ ref('int_build_window') }}
),

mart as (
    select * from {{ mart }}
),

engagement as (
    select * from {{ ref('int_engagement_scores') }}
),

owners as (
    select * from {{ ref('int_owner_assignment') }}
),

mart_build as (
    select built_at, rules_hash from dbt_state.increments
    where model = 'people'
),

whole as (
    select
        build_window.is_full
        or not exists (
            select 1 from mart_build
            where
                mart_build.rules_hash = {{ people_mart_hash() }}
                and mart_build.built_at >= build_window.previous_built_at
        ) as is_whole
    from build_window
),

recomputed as (
    select person_id from {{ ref('int_touched_people') }}
    union all
    {{ rebased_people() }}
),

engagement_changed as (
    select coalesce(engagement.person_id, mart.person_id) as person_id
    from engagement
    full outer join mart
        on mart.person_id = engagement.person_id
    where
        mart.person_id is null
        or engagement.person_id is null
        or engagement.engagement_score is distinct from mart.engagement_score
        or engagement.negative_rules is distinct from mart.negative_rules
),

owner_changed as (
    select owners.person_id
    from owners
    inner join mart
        on mart.person_id = owners.person_id
    where
        owners.owner_salesforce_user_id is distinct from mart.owner_salesforce_user_id
        or owners.owner_hubspot_owner_id is distinct from mart.owner_hubspot_owner_id
        or owners.owner_reason is distinct from mart.owner_reason
),

changed as (
    select person_id from recomputed
    union all
    select person_id from engagement_changed
    union all
    select person_id from owner_changed
),

everyone as (
    select person_id from engagement
    union all
    select person_id from mart
)

select distinct person_id
from changed
where person_id is not null and not (select is_whole from whole)
union all
select distinct person_id
from everyone
where (select is_whole from whole)
{%- endif %}
