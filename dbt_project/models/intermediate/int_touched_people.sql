-- The people whose activities, points or running scores the nightly recomputes: those touched
-- since the incremental models' last build (int_build_window), kept with the build that saw
-- them until every model has caught up (a model that failed at a build recomputes that build's
-- people at the next). Nothing is added when the build is a full one.
--   1. a record of theirs came, went, changed email or moved to another person (then and now);
--   2. they share an email with such a record (an email's activities follow its survivor);
--   3. an activity landed since belongs to them now;
--   4. an activity landed since (changed or deleted) belonged to them at the last build;
--   5. an activity of theirs has come due (between the last run date and this one);
--   6. their product usage events differ from the last build's (files carry no load time);
--   7. their account or HubSpot company landed since, or an account of their email's domain or
--      of their company's domain did (account matching, int_people_unified);
--   8. for their lifecycle only (is_lifecycle_only, unless another reason touched them too): a
--      field of a record of theirs that the lifecycle reads changed (int_record_links), a lead
--      status change of their leads landed since, their opportunities differ from those this
--      model saw at its last build (int_person_opportunities), or evidence or a recycle of theirs
--      has come due. Their activities, points and scores are not recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_caught_up_touches() }}",
    post_hook="{{ remember_person_opportunities() }}",
) }}
{%- set then = adapter.get_relation(this.database, this.schema, 'int_activities') %}
{%- set events_then = adapter.get_relation(this.database, this.schema, 'int_lifecycle_events') %}
{%- set recycles_then = adapter.get_relation(this.database, this.schema, 'int_recycle_events') %}
{%- set opportunities_seen = adapter.get_relation(this.database, 'dbt_state', 'person_opportunities_seen') %}
{%- set people_then = adapter.get_relation(this.database, this.schema, 'int_people_unified') %}
{%- set window = ref('int_build_window') %}
{%- set since = '(select previous_loaded_watermark from ' ~ window ~ ')' %}
{#- int_activities as the last build left it, read where needed rather than through one CTE:
    DuckDB would materialize a CTE read four times, every activity's row of it. -#}
{%- set activities_then -%}
    {%- if then is not none -%}
    {{ then }}
    {%- else -%}
    (
        select
            cast(null as varchar) as person_id,
            cast(null as varchar) as source,
            cast(null as varchar) as source_record_id,
            cast(null as varchar) as parent_record_id,
            cast(null as timestamp) as occurred_at
        where false
    )
    {%- endif -%}
{%- endset %}
with

build_window as (
    select * from {{ window }}
),

links as (
    select * from {{ ref('int_record_links') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

changed_links as (
    select *
    from links
    where changed_at > (select previous_built_at from build_window)
),

relinked as (
    select person_id from changed_links
    union all
    select previous_person_id from changed_links
),

shared_email as (
    select records.person_id
    from records
    where records.email in (
        select email from changed_links
        union all
        select previous_email from changed_links
    )
),

landed as (
    select distinct person_id
    from ({{ activity_rows(loaded_since=since) }}) as landed_rows
),

-- The raw activity rows landed since, as int_activities names its sources and records: a table
-- of their own, so that the joins below know how few they are and hash them, not the activities.
raw_landed as (
    select * from {{ ref('int_landed_activity_keys') }}
),

-- Semi joins: the few raw rows landed are the hash table, every activity of the last build probes it.
held_before as (
    select activities_then.person_id
    from {{ activities_then }} as activities_then
    {{ semi_join('raw_landed', 'raw_landed.source = activities_then.source
            and raw_landed.source_record_id = activities_then.source_record_id') }}
    union all
    select activities_then.person_id
    from {{ activities_then }} as activities_then
    {{ semi_join('raw_landed', "raw_landed.source = 'hubspot_chat'
            and activities_then.source = 'hubspot_chat'
            and raw_landed.source_record_id = activities_then.parent_record_id") }}
),

come_due as (
    select person_id
    from {{ activities_then }} as activities_then
    where
        occurred_at >= (select previous_as_of_end from build_window)
        and occurred_at < (select as_of_end from build_window)
),

product_now as (
    select
        usage.usage_event_id,
        records.person_id
    from {{ ref('stg_product__usage_events') }} as usage
    inner join records
        on records.email = usage.email
),

product_then as (
    select source_record_id as usage_event_id, person_id
    from {{ activities_then }} as activities_then
    where source = 'product_usage'
),

product_changed as (
    select person_id from (select * from product_now except select * from product_then) as came
    union all
    select person_id from (select * from product_then except select * from product_now) as went
),

changed_accounts as (
    select id as account_id from {{ source('salesforce', 'account') }}
    where _loaded_at > {{ since }}
),

changed_companies as (
    select id as hubspot_company_id from {{ source('hubspot', 'companies') }}
    where _loaded_at > {{ since }}
),

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

changed_domains as (
    select domain from {{ ref('stg_salesforce__accounts') }}
    where account_id in (select account_id from changed_accounts) and domain is not null
),

rematched as (
    {% if people_then is not none -%}
    select people_then.person_id
    from {{ people_then }} as people_then
    left join companies
        on companies.hubspot_company_id = people_then.hubspot_company_id
    where
        people_then.account_id in (select account_id from changed_accounts)
        or people_then.hubspot_company_id in (select hubspot_company_id from changed_companies)
        or companies.domain in (select domain from changed_domains)
    union all
    {% endif -%}
    select person_id
    from records
    where {{ email_domain('email') }} in (select domain from changed_domains)
),

lifecycle_records as (
    select person_id from links
    where lifecycle_changed_at > (select previous_built_at from build_window)
),

status_history_landed as (
    select records.person_id
    from records
    {{ semi_join("(
        select record ->> 'LeadId' as lead_id
        from " ~ source('salesforce', 'lead_history') ~ "
        where _loaded_at > " ~ since ~ "
    ) as landed_history", 'landed_history.lead_id = records.record_id', where="records.object_type = 'Lead'") }}
),

opportunities_now as (
    select * from {{ ref('int_person_opportunities') }}
),

opportunities_seen as (
    {% if opportunities_seen is not none -%}
    select * from {{ opportunities_seen }}
    {%- else -%}
    select * from opportunities_now where false
    {%- endif %}
),

opportunities_changed as (
    select person_id from (select * from opportunities_now except select * from opportunities_seen) as came
    union all
    select person_id from (select * from opportunities_seen except select * from opportunities_now) as went
),

lifecycle_come_due as (
    {% if events_then is not none -%}
    select person_id from {{ events_then }}
    where
        reached_at >= (select previous_as_of_end from build_window)
        and reached_at < (select as_of_end from build_window)
    {%- else -%}
    select cast(null as varchar) as person_id where false
    {%- endif %}
    {% if recycles_then is not none -%}
    union all
    select person_id from {{ recycles_then }}
    where
        recycled_at >= (select previous_as_of_end from build_window)
        and recycled_at < (select as_of_end from build_window)
    {%- endif %}
),

touched as (
    {%- for cte in ['relinked', 'shared_email', 'landed', 'held_before', 'come_due', 'product_changed', 'rematched'] %}
    select person_id, false as is_lifecycle_only from {{ cte }}
    union all
    {%- endfor %}
    {%- for cte in ['lifecycle_records', 'status_history_landed', 'opportunities_changed', 'lifecycle_come_due'] %}
    select person_id, true from {{ cte }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    person_id,
    (select built_at from build_window) as touched_at,
    bool_and(is_lifecycle_only) as is_lifecycle_only
from touched
where person_id is not null and not (select is_full from build_window)
group by person_id
