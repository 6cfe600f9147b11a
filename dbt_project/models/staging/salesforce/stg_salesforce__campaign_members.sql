-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='campaign_member_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'CampaignId', 'LeadId', 'ContactId', 'Status', 'HasResponded', 'FirstRespondedDate',
            'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'campaign_member')) }}
),

renamed as (
    select
        id as campaign_member_id,
        {{ json_field('CampaignId') }} as campaign_id,
        {{ json_field('LeadId') }} as lead_id,
        {{ json_field('ContactId') }} as contact_id,
        {{ json_field('Status') }} as status,
        coalesce({{ try_cast(json_field('HasResponded'), 'boolean') }}, false) as has_responded,
        {{ vendor_date(json_field('FirstRespondedDate')) }} as first_responded_date,
        {{ utc_timestamp(json_field('CreatedDate')) }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
