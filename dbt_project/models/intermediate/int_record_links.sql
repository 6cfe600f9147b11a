-- Which person each CRM record belongs to now, and since when: the nightly's incremental models
-- recompute the people whose records came, went, moved to another person, or changed email,
-- survivorship rank (which decides whose an email's activities are) or a field the person's
-- row is made of, since their last build (changed_at after it), under the person and email
-- before the change too. A record gone stays 30 days with no person, so that a model that
-- missed a build still learns of it.
-- A change of only the fields the lifecycle reads (dates, stages, lead statuses, also those
-- leadflow wrote) moves lifecycle_changed_at alone: the lifecycle models recompute the person.
-- Kept up to date by record: the nightly compares only the records int_people_records matched
-- again (int_identity_changes); the others cannot have changed. Everyone on a full build.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_identity_changes') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['vendor', 'record_id'],
    on_schema_change='sync_all_columns',
    post_hook="delete from {{ this }} where person_id is null and changed_at < {{ build_started_at() }} - {{ interval_of(30, 'day') }}",
) }}
{%- set previous = adapter.get_relation(this.database, this.schema, this.identifier) %}
{%- set previous_columns = adapter.get_columns_in_relation(previous) | map(attribute='name') | list
    if previous is not none else [] %}
{%- set compared_only -%}
    {%- if is_incremental() %}
    where {{ rematched_records_condition(key=('vendor', 'record_id')) }}
    {%- endif %}
{%- endset %}
with

records as (
    select
        vendor,
        record_id,
        person_id,
        email,
        survivorship_rank,
        -- The fields int_people_unified reads: a record whose hash changed touches its person.
        -- Its modification date counts only where it orders the records' recent conversions
        -- (a write-back's own change is not a change of the person).
        md5(cast((
            object_type, is_converted, created_at, first_name, last_name, company_name, title,
            country, industry, employee_count, annual_revenue, lead_source, analytics_source,
            account_id, hubspot_company_ids, has_opted_out, do_not_call, page_view_count,
            visit_count, conversion_event_count, recent_conversion_event_name,
            case when recent_conversion_event_name is not null then modified_at end
        ) as varchar)) as content_hash,
        md5(cast((
            is_writable, crm_mql_date, crm_sql_date, hubspot_stages_entered, lead_status, lead_status_history
        ) as varchar)) as lifecycle_hash
    from {{ ref('int_people_records') }}
    {{- compared_only }}
),

previous as (
    {% if previous is not none -%}
    select
        {{ star_exclude(none, ['lifecycle_hash', 'lifecycle_changed_at'] if 'lifecycle_hash' in previous_columns else [], previous_columns) }},
        {{ 'lifecycle_hash' if 'lifecycle_hash' in previous_columns else 'cast(null as varchar)' }} as lifecycle_hash,
        {{ 'lifecycle_changed_at' if 'lifecycle_hash' in previous_columns else 'cast(null as timestamp)' }}
            as lifecycle_changed_at
    from {{ previous }}
    {{- compared_only }}
    {%- else -%}
    select
        cast(null as varchar) as vendor,
        cast(null as varchar) as record_id,
        cast(null as varchar) as person_id,
        cast(null as varchar) as email,
        cast(null as integer) as survivorship_rank,
        cast(null as varchar) as content_hash,
        cast(null as timestamp) as changed_at,
        cast(null as varchar) as previous_person_id,
        cast(null as varchar) as previous_email,
        cast(null as varchar) as lifecycle_hash,
        cast(null as timestamp) as lifecycle_changed_at
    where false
    {%- endif %}
),

compared as (
    select
        coalesce(records.vendor, previous.vendor) as vendor,
        coalesce(records.record_id, previous.record_id) as record_id,
        records.person_id,
        records.email,
        records.survivorship_rank,
        records.content_hash,
        previous.record_id is null
        or records.person_id is distinct from previous.person_id
        or records.email is distinct from previous.email
        or records.survivorship_rank is distinct from previous.survivorship_rank
        or records.content_hash is distinct from previous.content_hash as is_changed,
        records.lifecycle_hash,
        records.lifecycle_hash is distinct from previous.lifecycle_hash as is_lifecycle_changed,
        previous.lifecycle_changed_at as lifecycle_changed_at_before,
        previous.person_id as person_id_before,
        previous.email as email_before,
        previous.changed_at as changed_at_before,
        previous.previous_person_id as previous_person_id_before,
        previous.previous_email as previous_email_before
    from records
    full outer join previous
        on
            previous.vendor = records.vendor
            and previous.record_id = records.record_id
),

final as (
    select
        vendor,
        record_id,
        person_id,
        email,
        survivorship_rank,
        content_hash,
        case when is_changed then {{ build_started_at() }} else changed_at_before end as changed_at,
        case when is_changed then person_id_before else previous_person_id_before end
            as previous_person_id,
        case when is_changed then email_before else previous_email_before end as previous_email,
        lifecycle_hash,
        case when is_lifecycle_changed then {{ build_started_at() }} else lifecycle_changed_at_before end
            as lifecycle_changed_at
    from compared
)

select * from final
where person_id is not null or changed_at >= {{ build_started_at() }} - {{ interval_of(30, 'day') }}
