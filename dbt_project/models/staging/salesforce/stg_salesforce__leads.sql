-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='lead_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'Email', 'FirstName', 'LastName', 'Company', 'Title', 'Industry', 'NumberOfEmployees',
            'AnnualRevenue', 'Country', 'Status', 'LeadSource', 'OwnerId', 'IsConverted',
            'ConvertedDate', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedOpportunityId',
            'HasOptedOutOfEmail', 'DoNotCall', 'Lead_Score__c', 'Fit_Score__c',
            'Engagement_Score__c', 'Lead_Tier__c', 'Lifecycle_Stage__c', 'MQL_Date__c',
            'SQL_Date__c', 'CreatedDate'
        ]) }}
    from {{ landed_since_last_build(source('salesforce', 'lead')) }}
),

renamed as (
    select
        id as lead_id,
        {{ person_email(json_field('Email')) }} as email,
        {{ json_field('FirstName') }} as first_name,
        {{ json_field('LastName') }} as last_name,
        {{ json_field('Company') }} as company_name,
        {{ json_field('Title') }} as title,
        {{ json_field('Industry') }} as industry,
        {{ non_negative(json_field('NumberOfEmployees'), "bigint") }} as employee_count,
        {{ non_negative(json_field('AnnualRevenue'), "double") }} as annual_revenue,
        {{ json_field('Country') }} as country,
        {{ json_field('Status') }} as status,
        {{ json_field('LeadSource') }} as lead_source,
        {{ json_field('OwnerId') }} as owner_id,
        coalesce({{ try_cast(json_field('IsConverted'), 'boolean') }}, false) as is_converted,
        {{ vendor_date(json_field('ConvertedDate')) }} as converted_date,
        {{ json_field('ConvertedContactId') }} as converted_contact_id,
        {{ json_field('ConvertedAccountId') }} as converted_account_id,
        {{ json_field('ConvertedOpportunityId') }} as converted_opportunity_id,
        coalesce({{ try_cast(json_field('HasOptedOutOfEmail'), 'boolean') }}, false) as has_opted_out_of_email,
        coalesce({{ try_cast(json_field('DoNotCall'), 'boolean') }}, false) as do_not_call,
        -- leadflow's own fields: absent (null) until the write-back creates them.
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
