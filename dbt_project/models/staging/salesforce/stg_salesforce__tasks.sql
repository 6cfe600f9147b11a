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
        * replace ({{ json_struct('record', [
            'WhoId', 'OwnerId', 'Subject', 'Type', 'TaskSubtype', 'Status', 'ActivityDate',
            'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'task') }}
    {{ incremental_since_last_build() }}
),

renamed as (
    select
        id as task_id,
        record.WhoId as who_id,
        record.OwnerId as owner_id,
        record.Subject as subject,
        record.Type as task_type,
        record.TaskSubtype as task_subtype,
        record.Status as status,
        {{ vendor_date("record.ActivityDate") }} as activity_date,
        {{ utc_timestamp("record.CreatedDate") }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
