-- A table kept up to date, not a view: the nightly parses only the raw rows loaded since the
-- last build (the millions before are parsed once), and the tests read columns, not JSON. A
-- row loaded again replaces its old version; one the CRM deleted is then removed.
{{ config(
    materialized='incremental',
    unique_key='web_event_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'objectType', 'objectId', 'eventType', 'properties.hs_url', 'properties.hs_title',
            'occurredAt'
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'web_events')) }}
),

renamed as (
    select
        id as web_event_id,
        {{ json_field('objectType') }} as object_type,
        {{ json_field('objectId') }} as object_id,
        {{ json_field('eventType') }} as event_type,
        {{ json_field('properties.hs_url') }} as url,
        -- /pricing from https://site/pricing?utm=...: the path the activity rules match on.
        coalesce(
            nullif({{ regexp_group(json_field('properties.hs_url'), "'^https?://[^/]+(/[^?#]*)'", 1) }}, ''), '/'
        ) as page_path,
        {{ json_field('properties.hs_title') }} as page_title,
        {{ utc_timestamp(json_field('occurredAt')) }} as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
