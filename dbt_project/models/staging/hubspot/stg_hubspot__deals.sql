with

source as (
    select * from {{ source('hubspot', 'deals') }}
),

renamed as (
    select
        id as hubspot_deal_id,
        record -> 'properties' ->> 'dealname' as deal_name,
        try_cast(record -> 'properties' ->> 'amount' as double) as amount,
        record -> 'properties' ->> 'dealstage' as deal_stage,
        record -> 'properties' ->> 'pipeline' as pipeline,
        {{ utc_timestamp("nullif(record -> 'properties' ->> 'closedate', '')") }} as closed_at,
        coalesce(
            try_cast(record -> 'properties' ->> 'hs_is_closed' as boolean),
            record -> 'properties' ->> 'dealstage' in ('closedwon', 'closedlost')
        ) as is_closed,
        coalesce(
            try_cast(record -> 'properties' ->> 'hs_is_closed_won' as boolean),
            record -> 'properties' ->> 'dealstage' = 'closedwon'
        ) as is_closed_won,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        coalesce(
            json_extract_string(record, '$.associations.contacts.results[*].id'), []
        ) as hubspot_contact_ids,
        coalesce(
            json_extract_string(record, '$.associations.companies.results[*].id'), []
        ) as hubspot_company_ids,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
