-- Each person's opportunities: a Salesforce opportunity through a contact role of one of their
-- contacts, a HubSpot deal through one of their contacts. One row per person, record link and
-- opportunity, with what the lifecycle reads of it (int_lifecycle_events: opportunity and
-- customer evidence; int_recycle_events: every opportunity lost). Rebuilt each run (a few rows
-- per customer); int_touched_people compares it with the version it saw at its last build, so
-- that the nightly recomputes the lifecycle of the people whose opportunities changed.
with

records as (
    select * from {{ ref('int_people_records') }}
),

contact_roles as (
    select * from {{ ref('stg_salesforce__opportunity_contact_roles') }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

salesforce as (
    select
        records.person_id,
        'salesforce' as vendor,
        opportunities.opportunity_id,
        opportunities.stage_name as stage,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.created_at,
        contact_roles.created_at as linked_at,
        cast(opportunities.close_date as timestamp) as closed_at
    from contact_roles
    inner join opportunities
        on opportunities.opportunity_id = contact_roles.opportunity_id
    inner join records
        on
            records.object_type = 'Contact'
            and records.record_id = contact_roles.contact_id
),

deal_contacts as (
    select
        hubspot_deal_id,
        deal_stage,
        is_closed,
        is_closed_won,
        created_at,
        closed_at,
        unnest(hubspot_contact_ids) as hubspot_contact_id
    from deals
),

hubspot as (
    select
        records.person_id,
        'hubspot' as vendor,
        deal_contacts.hubspot_deal_id as opportunity_id,
        deal_contacts.deal_stage as stage,
        deal_contacts.is_closed,
        deal_contacts.is_closed_won as is_won,
        deal_contacts.created_at,
        deal_contacts.created_at as linked_at,
        deal_contacts.closed_at
    from deal_contacts
    inner join records
        on
            records.object_type = 'contacts'
            and records.record_id = deal_contacts.hubspot_contact_id
),

final as (
    select * from salesforce
    union all
    select * from hubspot
)

select * from final
