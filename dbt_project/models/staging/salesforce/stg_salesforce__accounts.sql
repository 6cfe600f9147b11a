-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='account_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    select * from {{ landed_since_last_build(source('salesforce', 'account')) }}
),

renamed as (
    select
        id as account_id,
        record ->> 'Name' as account_name,
        record ->> 'Website' as website,
        {{ web_domain("record ->> 'Website'") }} as domain,
        record ->> 'Industry' as industry,
        {{ non_negative("record ->> 'NumberOfEmployees'", 'bigint') }} as employee_count,
        {{ non_negative("record ->> 'AnnualRevenue'", 'double') }} as annual_revenue,
        record ->> 'BillingCountry' as country,
        record ->> 'BillingCity' as city,
        record ->> 'Type' as account_type,
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
