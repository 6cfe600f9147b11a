-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='hubspot_contact_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
{#- The properties read below, and when each lifecycle stage was entered. -#}
{% set stages = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] %}
{%- set properties = [
    'email', 'firstname', 'lastname', 'company', 'jobtitle', 'country', 'lifecyclestage', 'hs_lead_status',
    'hubspot_owner_id', 'salesforceleadid', 'salesforcecontactid', 'hs_analytics_source',
    'hs_analytics_num_page_views', 'hs_analytics_num_visits', 'hs_email_optout', 'num_conversion_events',
    'recent_conversion_event_name', 'leadflow_score', 'leadflow_fit_score', 'leadflow_engagement_score',
    'leadflow_tier', 'leadflow_mql_date', 'leadflow_sql_date',
] %}
{%- for stage in stages %}{% do properties.append('hs_lifecyclestage_' ~ stage ~ '_date') %}{% endfor %}
{%- set fields = [] %}
{%- for name in properties %}{% do fields.append('properties.' ~ name) %}{% endfor %}
with

source as (
    -- The properties above and the fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', fields + [
            'createdAt',
            ('propertiesWithHistory.hs_lead_status', [{'value': 'VARCHAR', 'timestamp': 'VARCHAR'}]),
            ('associations.companies.results', [{'id': 'VARCHAR'}]),
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'contacts')) }}
),

renamed as (
    select
        id as hubspot_contact_id,
        {{ person_email(json_field('properties.email')) }} as email,
        {{ json_field('properties.firstname') }} as first_name,
        {{ json_field('properties.lastname') }} as last_name,
        {{ json_field('properties.company') }} as company_name,
        {{ json_field('properties.jobtitle') }} as job_title,
        {{ json_field('properties.country') }} as country,
        nullif({{ json_field('properties.lifecyclestage') }}, '') as lifecycle_stage,
        nullif({{ json_field('properties.hs_lead_status') }}, '') as lead_status,
        -- Every hs_lead_status the contact had, with when; only when the extract asked for
        -- propertiesWithHistory (HubSpot keeps no date of the status otherwise).
        {{ lead_status_history(json_field('propertiesWithHistory.hs_lead_status')) }} as lead_status_history,
        {% for stage in stages -%}
        {{ utc_timestamp(json_field('properties.hs_lifecyclestage_' ~ stage ~ '_date')) }} as {{ stage }}_entered_at,
        {% endfor -%}
        nullif({{ json_field('properties.hubspot_owner_id') }}, '') as owner_id,
        nullif({{ json_field('properties.salesforceleadid') }}, '') as salesforce_lead_id,
        nullif({{ json_field('properties.salesforcecontactid') }}, '') as salesforce_contact_id,
        {{ json_field('properties.hs_analytics_source') }} as analytics_source,
        {{ try_cast(json_field('properties.hs_analytics_num_page_views'), 'bigint') }} as page_view_count,
        {{ try_cast(json_field('properties.hs_analytics_num_visits'), 'bigint') }} as visit_count,
        coalesce({{ try_cast(json_field('properties.hs_email_optout'), 'boolean') }}, false) as has_email_optout,
        {{ try_cast(json_field('properties.num_conversion_events'), 'bigint') }} as conversion_event_count,
        {{ json_field('properties.recent_conversion_event_name') }} as recent_conversion_event_name,
        {{ json_id_list('associations.companies.results', 'association', 'id') }} as hubspot_company_ids,
        -- leadflow's own properties: absent (null) until the write-back creates them.
        {{ try_cast(json_field('properties.leadflow_score'), 'double') }} as crm_score,
        {{ try_cast(json_field('properties.leadflow_fit_score'), 'double') }} as crm_fit_score,
        {{ try_cast(json_field('properties.leadflow_engagement_score'), 'double') }} as crm_engagement_score,
        nullif({{ json_field('properties.leadflow_tier') }}, '') as crm_tier,
        {{ vendor_date('nullif(' ~ json_field('properties.leadflow_mql_date') ~ ", '')") }} as crm_mql_date,
        {{ vendor_date('nullif(' ~ json_field('properties.leadflow_sql_date') ~ ", '')") }} as crm_sql_date,
        {{ utc_timestamp(json_field('createdAt')) }} as created_at,
        modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
