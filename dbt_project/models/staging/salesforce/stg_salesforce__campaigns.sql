with

source as (
    select * from {{ source('salesforce', 'campaign') }}
),

renamed as (
    select
        id as campaign_id,
        record ->> 'Name' as campaign_name,
        record ->> 'Type' as campaign_type,
        record ->> 'Status' as status,
        {{ vendor_date("record ->> 'StartDate'") }} as start_date,
        {{ vendor_date("record ->> 'EndDate'") }} as end_date,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
