-- A table kept up to date, not a view: the nightly parses only the raw rows loaded since the
-- last build (the millions before are parsed once), and the tests read columns, not JSON. A
-- row loaded again replaces its old version; one the CRM deleted is then removed.
{{ config(
    materialized='incremental',
    unique_key='email_event_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'type', 'recipient', 'emailCampaignId', 'category', 'portalSubscriptionStatus', 'url',
            'created'
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'email_events')) }}
),

renamed as (
    select
        id as email_event_id,
        {{ json_field('type') }} as event_type,
        {{ normalized_email(json_field('recipient')) }} as recipient_email,
        {{ try_cast(json_field('emailCampaignId'), 'bigint') }} as email_campaign_id,
        {{ json_field('category') }} as bounce_category,
        {{ json_field('portalSubscriptionStatus') }} as subscription_status,
        {{ json_field('url') }} as url,
        {{ utc_timestamp(json_field('created')) }} as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
