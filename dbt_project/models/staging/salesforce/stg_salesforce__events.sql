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
        {{ parsed_record('record', [
            'WhoId', 'WhatId', 'OwnerId', 'Subject', 'Type', 'EventSubtype', 'StartDateTime',
            'EndDateTime', 'ActivityDateTime', 'ActivityDate', 'DurationInMinutes', 'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'event')) }}
),

renamed as (
    select
        id as event_id,
        {{ json_field('WhoId') }} as who_id,
        {{ json_field('WhatId') }} as what_id,
        {{ json_field('OwnerId') }} as owner_id,
        {{ json_field('Subject') }} as subject,
        {{ json_field('Type') }} as event_type,
        {{ json_field('EventSubtype') }} as event_subtype,
        {{ utc_timestamp(json_field('StartDateTime')) }} as started_at,
        {{ utc_timestamp(json_field('EndDateTime')) }} as ended_at,
        {{ utc_timestamp(json_field('ActivityDateTime')) }} as activity_at,
        {{ vendor_date(json_field('ActivityDate')) }} as activity_date,
        {{ try_cast(json_field('DurationInMinutes'), 'integer') }} as duration_minutes,
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
