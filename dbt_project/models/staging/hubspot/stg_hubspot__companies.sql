-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='hubspot_company_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    select * from {{ landed_since_last_build(source('hubspot', 'companies')) }}
),

renamed as (
    select
        id as hubspot_company_id,
        record -> 'properties' ->> 'name' as company_name,
        {{ web_domain("record -> 'properties' ->> 'domain'") }} as domain,
        record -> 'properties' ->> 'industry' as industry,
        {{ non_negative("record -> 'properties' ->> 'numberofemployees'", 'bigint') }} as employee_count,
        {{ non_negative("record -> 'properties' ->> 'annualrevenue'", 'double') }} as annual_revenue,
        record -> 'properties' ->> 'country' as country,
        record -> 'properties' ->> 'city' as city,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
