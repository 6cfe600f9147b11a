-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='opportunity_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    select * from {{ landed_since_last_build(source('salesforce', 'opportunity')) }}
),

renamed as (
    select
        id as opportunity_id,
        record ->> 'AccountId' as account_id,
        record ->> 'Name' as opportunity_name,
        record ->> 'StageName' as stage_name,
        {{ try_cast("record ->> 'Amount'", 'double') }} as amount,
        {{ vendor_date("record ->> 'CloseDate'") }} as close_date,
        coalesce({{ try_cast("record ->> 'IsClosed'", 'boolean') }}, false) as is_closed,
        coalesce({{ try_cast("record ->> 'IsWon'", 'boolean') }}, false) as is_won,
        record ->> 'OwnerId' as owner_id,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
