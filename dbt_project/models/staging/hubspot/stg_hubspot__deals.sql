-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='hubspot_deal_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    select * from {{ landed_since_last_build(source('hubspot', 'deals')) }}
),

renamed as (
    select
        id as hubspot_deal_id,
        record -> 'properties' ->> 'dealname' as deal_name,
        {{ try_cast("record -> 'properties' ->> 'amount'", 'double') }} as amount,
        record -> 'properties' ->> 'dealstage' as deal_stage,
        record -> 'properties' ->> 'pipeline' as pipeline,
        {{ utc_timestamp("nullif(record -> 'properties' ->> 'closedate', '')") }} as closed_at,
        coalesce(
            {{ try_cast("record -> 'properties' ->> 'hs_is_closed'", 'boolean') }},
            record -> 'properties' ->> 'dealstage' in ('closedwon', 'closedlost')
        ) as is_closed,
        coalesce(
            {{ try_cast("record -> 'properties' ->> 'hs_is_closed_won'", 'boolean') }},
            record -> 'properties' ->> 'dealstage' = 'closedwon'
        ) as is_closed_won,
        nullif(record -> 'properties' ->> 'hubspot_owner_id', '') as owner_id,
        {{ json_path_id_list('associations.contacts.results', 'id') }} as hubspot_contact_ids,
        {{ json_path_id_list('associations.companies.results', 'id') }} as hubspot_company_ids,
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
