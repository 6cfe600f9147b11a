with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'objectType', 'objectId', 'eventType', 'properties.hs_url', 'properties.hs_title',
            'occurredAt'
        ]) }} as record)
    from {{ source('hubspot', 'web_events') }}
),

renamed as (
    select
        id as web_event_id,
        record.objectType as object_type,
        record.objectId as object_id,
        record.eventType as event_type,
        record.properties.hs_url as url,
        -- /pricing from https://site/pricing?utm=...: the path the activity rules match on.
        coalesce(
            nullif(regexp_extract(record.properties.hs_url, '^https?://[^/]+(/[^?#]*)', 1), ''), '/'
        ) as page_path,
        record.properties.hs_title as page_title,
        {{ utc_timestamp("record.occurredAt") }} as occurred_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
