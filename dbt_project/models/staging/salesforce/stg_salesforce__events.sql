-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
-- Salesforce Events are calendar entries (meetings, calls booked on a rep's calendar). All-day
-- events have no ActivityDateTime; their StartDateTime is midnight UTC of ActivityDate.
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'WhoId', 'WhatId', 'OwnerId', 'Subject', 'Type', 'EventSubtype', 'StartDateTime',
            'EndDateTime', 'ActivityDateTime', 'ActivityDate', 'DurationInMinutes', 'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'event') }}
    {{ incremental_since_last_build() }}
),

renamed as (
    select
        id as event_id,
        record.WhoId as who_id,
        record.WhatId as what_id,
        record.OwnerId as owner_id,
        record.Subject as subject,
        record.Type as event_type,
        record.EventSubtype as event_subtype,
        {{ utc_timestamp("record.StartDateTime") }} as started_at,
        {{ utc_timestamp("record.EndDateTime") }} as ended_at,
        {{ utc_timestamp("record.ActivityDateTime") }} as activity_at,
        {{ vendor_date("record.ActivityDate") }} as activity_date,
        try_cast(record.DurationInMinutes as integer) as duration_minutes,
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
