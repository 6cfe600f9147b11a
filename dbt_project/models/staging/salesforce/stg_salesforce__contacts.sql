with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'AccountId', 'Email', 'FirstName', 'LastName', 'Title', 'MailingCountry', 'LeadSource',
            'OwnerId', 'HasOptedOutOfEmail', 'DoNotCall', 'Lead_Score__c', 'Fit_Score__c',
            'Engagement_Score__c', 'Lead_Tier__c', 'Lifecycle_Stage__c', 'MQL_Date__c',
            'SQL_Date__c', 'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'contact') }}
),

renamed as (
    select
        id as contact_id,
        record.AccountId as account_id,
        {{ normalized_email("record.Email") }} as email,
        record.FirstName as first_name,
        record.LastName as last_name,
        record.Title as title,
        record.MailingCountry as country,
        record.LeadSource as lead_source,
        record.OwnerId as owner_id,
        coalesce(try_cast(record.HasOptedOutOfEmail as boolean), false) as has_opted_out_of_email,
        coalesce(try_cast(record.DoNotCall as boolean), false) as do_not_call,
        try_cast(record.Lead_Score__c as double) as crm_score,
        try_cast(record.Fit_Score__c as double) as crm_fit_score,
        try_cast(record.Engagement_Score__c as double) as crm_engagement_score,
        record.Lead_Tier__c as crm_tier,
        record.Lifecycle_Stage__c as crm_lifecycle_stage,
        {{ vendor_date("record.MQL_Date__c") }} as crm_mql_date,
        {{ vendor_date("record.SQL_Date__c") }} as crm_sql_date,
        {{ utc_timestamp("record.CreatedDate") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
