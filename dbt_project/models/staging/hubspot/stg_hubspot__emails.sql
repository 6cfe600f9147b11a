with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'properties.hs_timestamp', 'properties.hubspot_owner_id',
            'properties.hs_email_direction', 'properties.hs_email_status', 'createdAt',
            ('associations.contacts.results', [{'id': 'VARCHAR'}])
        ]) }} as record)
    from {{ source('hubspot', 'emails') }}
),

renamed as (
    select
        id as hubspot_email_id,
        {{ utc_timestamp("record.properties.hs_timestamp") }} as occurred_at,
        nullif(record.properties.hubspot_owner_id, '') as owner_id,
        record.properties.hs_email_direction as direction,
        record.properties.hs_email_status as status,
        coalesce(
            list_transform(record.associations.contacts.results, association -> association.id), []
        ) as hubspot_contact_ids,
        {{ utc_timestamp("record.createdAt") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
