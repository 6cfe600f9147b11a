with

source as (
    select * from {{ source('salesforce', 'account') }}
),

renamed as (
    select
        id as account_id,
        record ->> 'Name' as account_name,
        record ->> 'Website' as website,
        {{ web_domain("record ->> 'Website'") }} as domain,
        record ->> 'Industry' as industry,
        try_cast(record ->> 'NumberOfEmployees' as bigint) as employee_count,
        try_cast(record ->> 'AnnualRevenue' as double) as annual_revenue,
        record ->> 'BillingCountry' as country,
        record ->> 'BillingCity' as city,
        record ->> 'Type' as account_type,
        record ->> 'OwnerId' as owner_id,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
