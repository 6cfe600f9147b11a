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
        {{ parsed_record('record', [
            'AccountId', 'Email', 'FirstName', 'LastName', 'Title', 'MailingCountry', 'LeadSource',
            'OwnerId', 'HasOptedOutOfEmail', 'DoNotCall', 'Lead_Score__c', 'Fit_Score__c',
            'Engagement_Score__c', 'Lead_Tier__c', 'Lifecycle_Stage__c', 'MQL_Date__c',
            'SQL_Date__c', 'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'contact')) }}
),

renamed as (
    select
        id as contact_id,
        {{ json_field('AccountId') }} as account_id,
        {{ person_email(json_field('Email')) }} as email,
        {{ json_field('FirstName') }} as first_name,
        {{ json_field('LastName') }} as last_name,
        {{ json_field('Title') }} as title,
        {{ json_field('MailingCountry') }} as country,
        {{ json_field('LeadSource') }} as lead_source,
        {{ json_field('OwnerId') }} as owner_id,
        coalesce({{ try_cast(json_field('HasOptedOutOfEmail'), 'boolean') }}, false) as has_opted_out_of_email,
        coalesce({{ try_cast(json_field('DoNotCall'), 'boolean') }}, false) as do_not_call,
        {{ try_cast(json_field('Lead_Score__c'), 'double') }} as crm_score,
        {{ try_cast(json_field('Fit_Score__c'), 'double') }} as crm_fit_score,
        {{ try_cast(json_field('Engagement_Score__c'), 'double') }} as crm_engagement_score,
        {{ json_field('Lead_Tier__c') }} as crm_tier,
        {{ json_field('Lifecycle_Stage__c') }} as crm_lifecycle_stage,
        {{ vendor_date(json_field('MQL_Date__c')) }} as crm_mql_date,
        {{ vendor_date(json_field('SQL_Date__c')) }} as crm_sql_date,
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
