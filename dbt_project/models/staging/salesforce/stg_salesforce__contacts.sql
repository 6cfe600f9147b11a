-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='contact_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
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
    {{ incremental_since_last_build() }}
),

renamed as (
    select
        id as contact_id,
        record.AccountId as account_id,
        {{ person_email("record.Email") }} as email,
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
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
