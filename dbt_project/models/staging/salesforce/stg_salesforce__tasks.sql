-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='task_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'WhoId', 'OwnerId', 'Subject', 'Type', 'TaskSubtype', 'Status', 'ActivityDate',
            'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'task')) }}
),

renamed as (
    select
        id as task_id,
        {{ json_field('WhoId') }} as who_id,
        {{ json_field('OwnerId') }} as owner_id,
        {{ json_field('Subject') }} as subject,
        {{ json_field('Type') }} as task_type,
        {{ json_field('TaskSubtype') }} as task_subtype,
        {{ json_field('Status') }} as status,
        {{ vendor_date(json_field('ActivityDate')) }} as activity_date,
        {{ utc_timestamp(json_field('CreatedDate')) }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
