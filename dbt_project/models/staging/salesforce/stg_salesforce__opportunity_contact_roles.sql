-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='opportunity_contact_role_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    select * from {{ landed_since_last_build(source('salesforce', 'opportunity_contact_role')) }}
),

renamed as (
    select
        id as opportunity_contact_role_id,
        record ->> 'OpportunityId' as opportunity_id,
        record ->> 'ContactId' as contact_id,
        record ->> 'Role' as role,
        coalesce({{ try_cast("record ->> 'IsPrimary'", 'boolean') }}, false) as is_primary,
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
