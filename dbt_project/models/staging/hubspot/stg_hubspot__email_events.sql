with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'type', 'recipient', 'emailCampaignId', 'category', 'portalSubscriptionStatus', 'url',
            'created'
        ]) }} as record)
    from {{ source('hubspot', 'email_events') }}
),

renamed as (
    select
        id as email_event_id,
        record.type as event_type,
        {{ normalized_email("record.recipient") }} as recipient_email,
        try_cast(record.emailCampaignId as bigint) as email_campaign_id,
        record.category as bounce_category,
        record.portalSubscriptionStatus as subscription_status,
        record.url as url,
        {{ utc_timestamp("record.created") }} as occurred_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
