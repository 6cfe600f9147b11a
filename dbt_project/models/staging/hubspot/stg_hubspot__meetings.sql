with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'properties.hs_timestamp', 'properties.hubspot_owner_id',
            'properties.hs_meeting_outcome', 'createdAt',
            ('associations.contacts.results', [{'id': 'VARCHAR'}])
        ]) }} as record)
    from {{ source('hubspot', 'meetings') }}
),

renamed as (
    select
        id as hubspot_meeting_id,
        {{ utc_timestamp("record.properties.hs_timestamp") }} as occurred_at,
        nullif(record.properties.hubspot_owner_id, '') as owner_id,
        cast(null as varchar) as direction,
        record.properties.hs_meeting_outcome as status,
        coalesce(
            list_transform(record.associations.contacts.results, association -> association.id), []
        ) as hubspot_contact_ids,
        {{ utc_timestamp("record.createdAt") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
