-- One row per person across Salesforce and HubSpot: who they are, the records they came from,
-- their scores and tier, their lifecycle stage with the date each stage was reached, and owner.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

fit as (
    select * from {{ ref('int_people_fit') }}
),

engagement as (
    select * from {{ ref('int_engagement_scores') }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}
),

owners as (
    select * from {{ ref('int_owner_assignment') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

scored as (
    select
        people.*,
        fit.region,
        fit.seniority,
        fit.department,
        fit.fit_score,
        engagement.engagement_score,
        fit.fit_score + engagement.engagement_score as score,
        engagement.negative_rules
    from people
    inner join fit
        on fit.person_id = people.person_id
    inner join engagement
        on engagement.person_id = people.person_id
),

tiered as (
    select
        scored.*,
        tier_thresholds.tier
    from scored
    inner join tier_thresholds
        on scored.score >= coalesce(tier_thresholds.min_score, '-infinity'::double)
    qualify row_number() over (
        partition by scored.person_id
        order by coalesce(tier_thresholds.min_score, '-infinity'::double) desc
    ) = 1
),

final as (
    select
        tiered.person_id,
        tiered.email,
        tiered.first_name,
        tiered.last_name,
        tiered.company_name,
        tiered.title,
        tiered.country,
        tiered.region,
        tiered.seniority,
        tiered.department,
        tiered.account_id,
        tiered.salesforce_lead_id,
        tiered.salesforce_contact_id,
        tiered.hubspot_contact_id,
        tiered.salesforce_lead_ids,
        tiered.salesforce_contact_ids,
        tiered.hubspot_contact_ids,
        tiered.converted_lead_ids,
        tiered.is_in_salesforce,
        tiered.is_in_hubspot,
        tiered.fit_score,
        tiered.engagement_score,
        tiered.score,
        tiered.tier,
        tiered.negative_rules,
        lifecycle.lifecycle_stage,
        lifecycle.subscriber_at,
        lifecycle.lead_at,
        lifecycle.mql_at,
        lifecycle.sql_at,
        lifecycle.opportunity_at,
        lifecycle.customer_at,
        lifecycle.is_mql_inferred,
        lifecycle.mql_rule,
        lifecycle.sql_rule,
        owners.owner_salesforce_user_id,
        owners.owner_hubspot_owner_id,
        owners.owner_reason,
        tiered.first_seen_at,
        {{ as_of_date() }} as scored_as_of
    from tiered
    inner join lifecycle
        on lifecycle.person_id = tiered.person_id
    inner join owners
        on owners.person_id = tiered.person_id
)

select * from final
