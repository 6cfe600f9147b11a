-- One row per person: attributes by survivorship (Salesforce contact, then lead, then HubSpot
-- contact, then converted lead; within each the oldest record, which write-backs cannot change),
-- the account (the contact's, else by email domain, else through the HubSpot company's domain)
-- with its firmographics, and the CRM records the person came from.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build
-- (int_touched_people: a record of theirs changed or moved, their account or company did).
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
with

records as (
    select * from {{ ref('int_people_records') }}
),

accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

hubspot_companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

industry_aliases as (
    select * from {{ ref('industry_aliases') }}
),

free_mail_domains as (
    select * from {{ ref('free_mail_domains') }}
),

-- Orders among a person's records, as keys for arg_min (first value by the key, which orders
-- field by field, nulls last: order_key): no sorting, one hash aggregate.
ranked as (
    select
        *,
        {{ order_key(['survivorship_rank', 'created_at', 'record_id']) }} as survivor_order,
        {{ order_key(['created_at', 'record_id']) }} as age_order,
        -- Newest first, records without a modification date last.
        {{ order_key(['modified_at is null', '-' ~ epoch_us('modified_at'), 'record_id']) }} as recency_order
    from records
    {% if is_incremental() -%}
    where {{ touched_people_condition() }}
    {%- endif %}
),

people as (
    select
        person_id,
        {% for column in ['email', 'first_name', 'last_name', 'company_name', 'title', 'country', 'industry', 'employee_count', 'annual_revenue', 'lead_source', 'analytics_source', 'account_id'] -%}
        {{ arg_min(column, 'survivor_order', column ~ ' is not null') }} as {{ column }},
        {% endfor -%}
        {{ arg_min('hubspot_company_ids[1]', 'survivor_order', list_length('hubspot_company_ids') ~ ' > 0') }}
            as hubspot_company_id,
        -- The oldest record of each kind: the one to look a person up by.
        {{ arg_min('record_id', 'age_order', "object_type = 'Lead' and not is_converted") }}
            as salesforce_lead_id,
        {{ arg_min('record_id', 'age_order', "object_type = 'Contact'") }} as salesforce_contact_id,
        {{ arg_min('record_id', 'age_order', "object_type = 'contacts'") }} as hubspot_contact_id,
        coalesce(
            {{ sorted_list('record_id', "object_type = 'Lead' and not is_converted") }}, {{ no_items('varchar') }}
        ) as salesforce_lead_ids,
        coalesce({{ sorted_list('record_id', "object_type = 'Contact'") }}, {{ no_items('varchar') }})
            as salesforce_contact_ids,
        coalesce({{ sorted_list('record_id', "object_type = 'contacts'") }}, {{ no_items('varchar') }})
            as hubspot_contact_ids,
        coalesce({{ sorted_list('record_id', "object_type = 'Lead' and is_converted") }}, {{ no_items('varchar') }})
            as converted_lead_ids,
        bool_or(vendor = 'salesforce') as is_in_salesforce,
        bool_or(vendor = 'hubspot') as is_in_hubspot,
        bool_or(has_opted_out) as has_opted_out,
        bool_or(do_not_call) as do_not_call,
        max(page_view_count) as page_view_count,
        max(visit_count) as visit_count,
        max(conversion_event_count) as conversion_event_count,
        {{ arg_min('recent_conversion_event_name', 'recency_order', 'recent_conversion_event_name is not null') }}
            as recent_conversion_event_name,
        min(created_at) as first_seen_at,
        count(*) as record_count
    from ranked
    group by person_id
),

-- Accounts by website domain; one account per domain (the oldest).
account_domains as (
    select
        domain,
        {{ arg_min('account_id', 'created_at') }} as account_id
    from accounts
    where domain is not null
    group by domain
),

-- A personal address says nothing about the employer: only other domains find an account.
domains as (
    select
        people.*,
        {{ email_domain('people.email') }} as email_domain,
        case when free_mail_domains.domain is null then {{ email_domain('people.email') }} end
            as employer_domain
    from people
    left join free_mail_domains
        on free_mail_domains.domain = {{ email_domain('people.email') }}
),

-- Plain equality joins only: a condition on another table in the ON clause would make DuckDB
-- fall back to a nested-loop join (minutes at a million people).
matched as (
    select
        {{ star_exclude('domains', ['employer_domain'], none) }},
        coalesce(domains.account_id, by_email.account_id, by_company.account_id) as matched_account_id,
        case
            when domains.account_id is not null then 'contact_account'
            when by_email.account_id is not null then 'email_domain'
            when by_company.account_id is not null then 'hubspot_company'
        end as account_match_rule
    from domains
    left join account_domains as by_email
        on by_email.domain = domains.employer_domain
    left join hubspot_companies
        on hubspot_companies.hubspot_company_id = domains.hubspot_company_id
    left join account_domains as by_company
        on by_company.domain = hubspot_companies.domain
),

final as (
    select
        matched.person_id,
        matched.email,
        matched.email_domain,
        matched.first_name,
        matched.last_name,
        coalesce(accounts.account_name, matched.company_name, hubspot_companies.company_name) as company_name,
        matched.title,
        coalesce(matched.country, accounts.country, hubspot_companies.country) as country,
        coalesce(accounts.industry, industry_aliases.industry, hubspot_companies.industry, matched.industry)
            as industry,
        coalesce(accounts.employee_count, hubspot_companies.employee_count, matched.employee_count)
            as employee_count,
        coalesce(accounts.annual_revenue, hubspot_companies.annual_revenue, matched.annual_revenue)
            as annual_revenue,
        matched.lead_source,
        matched.analytics_source,
        matched.matched_account_id as account_id,
        matched.account_match_rule,
        accounts.owner_id as account_owner_id,
        matched.hubspot_company_id,
        matched.salesforce_lead_id,
        matched.salesforce_contact_id,
        matched.hubspot_contact_id,
        matched.salesforce_lead_ids,
        matched.salesforce_contact_ids,
        matched.hubspot_contact_ids,
        matched.converted_lead_ids,
        matched.is_in_salesforce,
        matched.is_in_hubspot,
        matched.has_opted_out,
        matched.do_not_call,
        matched.page_view_count,
        matched.visit_count,
        matched.conversion_event_count,
        matched.recent_conversion_event_name,
        matched.first_seen_at,
        matched.record_count
    from matched
    left join accounts
        on accounts.account_id = matched.matched_account_id
    left join hubspot_companies
        on hubspot_companies.hubspot_company_id = matched.hubspot_company_id
    left join industry_aliases
        on industry_aliases.alias = hubspot_companies.industry
)

select * from final
