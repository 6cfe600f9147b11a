with

source as (
    select * from {{ source('hubspot', 'calls') }}
),

renamed as (
    select
        id as hubspot_call_id,
        {{ utc_timestamp("record -> 'properties' ->> 'hs_timestamp'") }} as occurred_at,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        record -> 'properties' ->> 'hs_call_direction' as direction,
        record -> 'properties' ->> 'hs_call_status' as status,
        coalesce(
            json_extract_string(record, '$.associations.contacts.results[*].id'), []
        ) as hubspot_contact_ids,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
