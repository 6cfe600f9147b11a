with

source as (
    select * from {{ source('hubspot', 'notes') }}
),

renamed as (
    select
        id as hubspot_note_id,
        {{ utc_timestamp("record -> 'properties' ->> 'hs_timestamp'") }} as occurred_at,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        cast(null as varchar) as direction,
        cast(null as varchar) as status,
        coalesce(
            json_extract_string(record, '$.associations.contacts.results[*].id'), []
        ) as hubspot_contact_ids,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
