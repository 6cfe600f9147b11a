-- Won revenue per person: each won Salesforce opportunity's amount goes to one person (its
-- primary contact role, else the earliest), each won HubSpot deal's to its first associated
-- contact - unless that person already has Salesforce revenue (the same deal kept in both
-- CRMs would count twice).
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

salesforce_won as (
    select
        opportunities.opportunity_id,
        opportunities.amount,
        cast(opportunities.close_date as timestamp) as won_at,
        {{ arg_min('records.person_id', order_key(['not contact_roles.is_primary', 'contact_roles.created_at'])) }} as person_id
    from opportunities
    inner join contact_roles
        on contact_roles.opportunity_id = opportunities.opportunity_id
    inner join records
        on
            records.object_type = 'Contact'
            and records.record_id = contact_roles.contact_id
    where opportunities.is_won
    group by opportunities.opportunity_id, opportunities.amount, opportunities.close_date
),

hubspot_won as (
    select
        deals.hubspot_deal_id,
        deals.amount,
        deals.closed_at as won_at,
        records.person_id
    from deals
    inner join records
        on
            records.object_type = 'contacts'
            and records.record_id = deals.hubspot_contact_ids[1]
    where deals.is_closed_won
),

salesforce_people as (
    select
        person_id,
        sum(amount) as revenue,
        count(*) as won_deals,
        min(won_at) as first_won_at
    from salesforce_won
    group by person_id
),

hubspot_people as (
    select
        person_id,
        sum(amount) as revenue,
        count(*) as won_deals,
        min(won_at) as first_won_at
    from hubspot_won
    where person_id not in (select person_id from salesforce_people)
    group by person_id
),

final as (
    select * from salesforce_people
    union all
    select * from hubspot_people
)

select * from final
