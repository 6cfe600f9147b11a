with

source as (
    select * from {{ source('hubspot', 'companies') }}
),

renamed as (
    select
        id as hubspot_company_id,
        record -> 'properties' ->> 'name' as company_name,
        {{ web_domain("record -> 'properties' ->> 'domain'") }} as domain,
        record -> 'properties' ->> 'industry' as industry,
        try_cast(record -> 'properties' ->> 'numberofemployees' as bigint) as employee_count,
        try_cast(record -> 'properties' ->> 'annualrevenue' as double) as annual_revenue,
        record -> 'properties' ->> 'country' as country,
        record -> 'properties' ->> 'city' as city,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
