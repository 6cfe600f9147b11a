with

source as (
    select * from {{ source('salesforce', 'opportunity') }}
),

renamed as (
    select
        id as opportunity_id,
        record ->> 'AccountId' as account_id,
        record ->> 'Name' as opportunity_name,
        record ->> 'StageName' as stage_name,
        try_cast(record ->> 'Amount' as double) as amount,
        {{ vendor_date("record ->> 'CloseDate'") }} as close_date,
        coalesce(try_cast(record ->> 'IsClosed' as boolean), false) as is_closed,
        coalesce(try_cast(record ->> 'IsWon' as boolean), false) as is_won,
        record ->> 'OwnerId' as owner_id,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
