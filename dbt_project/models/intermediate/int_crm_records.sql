-- Every CRM record that stands for a person: Salesforce leads (converted ones too, read-only),
-- Salesforce contacts and HubSpot contacts, in one shape, with leadflow's current field values.
-- A view: a projection of the staging tables that int_people_records alone reads, once; a table
-- would write every record (1,600,000 at a time) for that one read.
{{ config(materialized='view') }}
with

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

hubspot_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

salesforce_leads as (
    select
        'salesforce' as vendor,
        'Lead' as object_type,
        lead_id as record_id,
        email,
        first_name,
        last_name,
        company_name,
        title,
        country,
        industry,
        employee_count,
        annual_revenue,
        cast(null as varchar) as account_id,
        {{ empty_list('varchar') }} as hubspot_company_ids,
        owner_id,
        status as lead_status,
        {{ empty_list('struct(lead_status varchar, changed_at timestamp)') }} as lead_status_history,
        lead_source,
        cast(null as varchar) as analytics_source,
        cast(null as bigint) as page_view_count,
        cast(null as bigint) as visit_count,
        cast(null as bigint) as conversion_event_count,
        cast(null as varchar) as recent_conversion_event_name,
        has_opted_out_of_email as has_opted_out,
        do_not_call,
        is_converted,
        converted_contact_id,
        converted_date,
        cast(null as varchar) as linked_salesforce_lead_id,
        cast(null as varchar) as linked_salesforce_contact_id,
        cast(null as varchar) as hubspot_lifecycle_stage,
        {{ empty_list('struct(stage varchar, entered_at timestamp)') }} as hubspot_stages_entered,
        -- Salesforce refuses updates to converted leads: they only feed history.
        not is_converted as is_writable,
        case when is_converted then 4 else 2 end as survivorship_rank,
        crm_score,
        crm_fit_score,
        crm_engagement_score,
        crm_tier,
        crm_lifecycle_stage,
        crm_mql_date,
        crm_sql_date,
        created_at,
        modified_at
    from leads
),

salesforce_contacts as (
    select
        'salesforce' as vendor,
        'Contact' as object_type,
        contact_id as record_id,
        email,
        first_name,
        last_name,
        cast(null as varchar) as company_name,
        title,
        country,
        cast(null as varchar) as industry,
        cast(null as bigint) as employee_count,
        cast(null as double) as annual_revenue,
        account_id,
        {{ empty_list('varchar') }} as hubspot_company_ids,
        owner_id,
        cast(null as varchar) as lead_status,
        {{ empty_list('struct(lead_status varchar, changed_at timestamp)') }} as lead_status_history,
        lead_source,
        cast(null as varchar) as analytics_source,
        cast(null as bigint) as page_view_count,
        cast(null as bigint) as visit_count,
        cast(null as bigint) as conversion_event_count,
        cast(null as varchar) as recent_conversion_event_name,
        has_opted_out_of_email as has_opted_out,
        do_not_call,
        false as is_converted,
        cast(null as varchar) as converted_contact_id,
        cast(null as date) as converted_date,
        cast(null as varchar) as linked_salesforce_lead_id,
        cast(null as varchar) as linked_salesforce_contact_id,
        cast(null as varchar) as hubspot_lifecycle_stage,
        {{ empty_list('struct(stage varchar, entered_at timestamp)') }} as hubspot_stages_entered,
        true as is_writable,
        1 as survivorship_rank,
        crm_score,
        crm_fit_score,
        crm_engagement_score,
        crm_tier,
        crm_lifecycle_stage,
        crm_mql_date,
        crm_sql_date,
        created_at,
        modified_at
    from contacts
),

hubspot as (
    select
        'hubspot' as vendor,
        'contacts' as object_type,
        hubspot_contact_id as record_id,
        email,
        first_name,
        last_name,
        company_name,
        job_title as title,
        country,
        cast(null as varchar) as industry,
        cast(null as bigint) as employee_count,
        cast(null as double) as annual_revenue,
        cast(null as varchar) as account_id,
        hubspot_company_ids,
        owner_id,
        lead_status,
        lead_status_history,
        cast(null as varchar) as lead_source,
        analytics_source,
        page_view_count,
        visit_count,
        conversion_event_count,
        recent_conversion_event_name,
        has_email_optout as has_opted_out,
        false as do_not_call,
        false as is_converted,
        cast(null as varchar) as converted_contact_id,
        cast(null as date) as converted_date,
        salesforce_lead_id as linked_salesforce_lead_id,
        salesforce_contact_id as linked_salesforce_contact_id,
        lifecycle_stage as hubspot_lifecycle_stage,
        -- Every stage HubSpot says the contact entered (hs_lifecyclestage_<stage>_date, kept
        -- when the stage moves on), and the current stage, dated by creation if undated.
        {%- set stages = [] %}
        {%- for stage in ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] %}
        {%- do stages.append((stage, "coalesce(" ~ stage ~ "_entered_at, case when lifecycle_stage = '" ~ stage ~ "' then created_at end)")) %}
        {%- endfor %}
        {{ dated_stages(stages) }} as hubspot_stages_entered,
        true as is_writable,
        3 as survivorship_rank,
        crm_score,
        crm_fit_score,
        crm_engagement_score,
        crm_tier,
        lifecycle_stage as crm_lifecycle_stage,
        crm_mql_date,
        crm_sql_date,
        created_at,
        modified_at
    from hubspot_contacts
),

unioned as (
    select * from salesforce_leads
    union all
    select * from salesforce_contacts
    union all
    select * from hubspot
),

-- No record is made after it was last modified: a creation date in the future (an import that
-- set it by hand; main.quarantine names it) is read as the modification date, or every stage
-- of the person would wait for it.
final as (
    select {{ star_replace({'created_at': 'least(created_at, modified_at)'}) }}
    from unioned
)

select * from final
