-- The explicit way back in the funnel: when sales disqualify or recycle a person (rules of the
-- recycle_rules seed), they return to lead, and for a cool-off (scoring_settings
-- recycle_cooloff_days / disqualify_cooloff_days) no MQL or SQL evidence counts.
--   lead_status          Salesforce Lead Status (dated by LeadHistory)
--   hubspot_lead_status  HubSpot hs_lead_status (dated by its property history)
--   opportunity_lost     every opportunity (Salesforce contact role or HubSpot deal) of the
--                        person closed lost and none is open or won: at the last close
with

recycle_rules as (
    select * from {{ ref('recycle_rules') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

status_changes as (
    select * from {{ ref('int_lead_status_changes') }}
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

statuses as (
    select
        status_changes.person_id,
        status_changes.changed_at as recycled_at,
        recycle_rules.action,
        recycle_rules.rule_type || ':' || recycle_rules.match_value as rule
    from status_changes
    inner join recycle_rules
        on
            recycle_rules.rule_type = case status_changes.vendor when 'salesforce' then 'lead_status' else 'hubspot_lead_status' end
            and recycle_rules.match_value = status_changes.lead_status
),

person_opportunities as (
    select
        records.person_id,
        opportunities.is_closed,
        opportunities.is_won,
        cast(opportunities.close_date as timestamp) as closed_at
    from contact_roles
    inner join opportunities
        on opportunities.opportunity_id = contact_roles.opportunity_id
    inner join records
        on
            records.object_type = 'Contact'
            and records.record_id = contact_roles.contact_id
    union all
    select
        records.person_id,
        deals.is_closed,
        deals.is_closed_won,
        deals.closed_at
    from (select *, unnest(hubspot_contact_ids) as hubspot_contact_id from deals) as deals
    inner join records
        on
            records.object_type = 'contacts'
            and records.record_id = deals.hubspot_contact_id
),

lost as (
    select
        person_opportunities.person_id,
        max(person_opportunities.closed_at) as recycled_at,
        recycle_rules.action,
        recycle_rules.rule_type || ':' || recycle_rules.match_value as rule
    from person_opportunities
    inner join recycle_rules
        on recycle_rules.rule_type = 'opportunity_lost'
    group by all
    having bool_and(person_opportunities.is_closed and not person_opportunities.is_won)
),

unioned as (
    select * from statuses
    union all
    select * from lost
),

final as (
    select
        person_id,
        recycled_at,
        action,
        rule,
        recycled_at + to_days(cast(
            case action
                when 'disqualify' then {{ setting('disqualify_cooloff_days') }}
                else {{ setting('recycle_cooloff_days') }}
            end as integer
        )) as cooloff_until
    from unioned
    where recycled_at is not null and recycled_at < {{ as_of_end() }}
)

select * from final
