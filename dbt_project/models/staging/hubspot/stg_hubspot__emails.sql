-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='hubspot_email_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'properties.hs_timestamp', 'properties.hubspot_owner_id',
            'properties.hs_email_direction', 'properties.hs_email_status', 'createdAt',
            ('associations.contacts.results', [{'id': 'VARCHAR'}])
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'emails')) }}
),

renamed as (
    select
        id as hubspot_email_id,
        {{ utc_timestamp(json_field('properties.hs_timestamp')) }} as occurred_at,
        nullif({{ json_field('properties.hubspot_owner_id') }}, '') as owner_id,
        {{ json_field('properties.hs_email_direction') }} as direction,
        {{ json_field('properties.hs_email_status') }} as status,
        {{ json_id_list('associations.contacts.results', 'association', 'id') }} as hubspot_contact_ids,
        {{ utc_timestamp(json_field('createdAt')) }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
