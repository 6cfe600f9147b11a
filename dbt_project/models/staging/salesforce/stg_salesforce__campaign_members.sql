with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'CampaignId', 'LeadId', 'ContactId', 'Status', 'HasResponded', 'FirstRespondedDate',
            'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'campaign_member') }}
),

renamed as (
    select
        id as campaign_member_id,
        record.CampaignId as campaign_id,
        record.LeadId as lead_id,
        record.ContactId as contact_id,
        record.Status as status,
        coalesce(try_cast(record.HasResponded as boolean), false) as has_responded,
        {{ vendor_date("record.FirstRespondedDate") }} as first_responded_date,
        {{ utc_timestamp("record.CreatedDate") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
