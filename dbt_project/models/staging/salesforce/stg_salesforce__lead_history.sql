-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='lead_history_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'lead_history')) }}
),

renamed as (
    select
        id as lead_history_id,
        {{ json_field('LeadId') }} as lead_id,
        {{ json_field('Field') }} as field_name,
        {{ json_field('OldValue') }} as old_value,
        {{ json_field('NewValue') }} as new_value,
        {{ utc_timestamp(json_field('CreatedDate')) }} as created_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
