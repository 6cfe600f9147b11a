-- One row per person across Salesforce and HubSpot: who they are, the records they came from,
-- their scores, grade, tier and matrix cell, their lifecycle stage with the dates each stage
-- was first reached and last entered, the PQL and CQL tracks, recycling, and owner.
--
-- Kept up to date, not rebuilt: a nightly writes again the rows of the people whose row changes
-- (int_people_mart_changes), everyone's when the mart must be written whole, and moves every
-- row's scored_as_of to the run date (the other rows' scores are the same on it).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_people_mart_changes() }}",
    post_hook=[
        "update {{ this }} set scored_as_of = {{ as_of_date() }} where scored_as_of is distinct from {{ as_of_date() }}",
        "{{ record_increment(rules_hash=people_mart_hash()) }}",
    ],
) }}
{%- set changed -%}
    {%- if is_incremental() %}
    where {{ rewritten_people_condition() }}
    {%- endif %}
{%- endset %}
-- depends_on: {{ ref('int_people_mart_changes') }}
with

people as (
    select * from {{ ref('int_people_unified') }}{{ changed }}
),

fit as (
    select * from {{ ref('int_people_fit') }}{{ changed }}
),

engagement as (
    select * from {{ ref('int_engagement_scores') }}{{ changed }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}{{ changed }}
),

owners as (
    select * from {{ ref('int_owner_assignment') }}{{ changed }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

engagement_levels as (
    select * from {{ ref('engagement_levels') }}
),

scored as (
    select
        people.*,
        fit.region,
        fit.seniority,
        fit.department,
        fit.fit_score,
        fit.fit_grade,
        engagement.engagement_score,
        fit.fit_score + engagement.engagement_score as score,
        engagement.negative_rules
    from people
    inner join fit
        on fit.person_id = people.person_id
    inner join engagement
        on engagement.person_id = people.person_id
),

-- Scores repeat: each distinct one gets its tier (the highest min_score it reaches) once.
score_tiers as (
    select
        scores.score,
        {{ arg_max('tier_thresholds.tier', "coalesce(tier_thresholds.min_score, '-infinity'::double)") }} as tier
    from (select distinct score from scored) as scores
    inner join tier_thresholds
        on scores.score >= coalesce(tier_thresholds.min_score, '-infinity'::double)
    group by scores.score
),

engagement_score_levels as (
    select
        scores.engagement_score,
        {{ arg_max('engagement_levels.engagement_level', "coalesce(engagement_levels.min_engagement_score, '-infinity'::double)") }} as engagement_level
    from (select distinct engagement_score from scored) as scores
    inner join engagement_levels
        on scores.engagement_score >= coalesce(engagement_levels.min_engagement_score, '-infinity'::double)
    group by scores.engagement_score
),

final as (
    select
        scored.person_id,
        scored.email,
        scored.first_name,
        scored.last_name,
        scored.company_name,
        scored.title,
        scored.country,
        scored.region,
        scored.seniority,
        scored.department,
        scored.lead_source,
        scored.analytics_source,
        scored.account_id,
        scored.account_match_rule,
        scored.salesforce_lead_id,
        scored.salesforce_contact_id,
        scored.hubspot_contact_id,
        scored.salesforce_lead_ids,
        scored.salesforce_contact_ids,
        scored.hubspot_contact_ids,
        scored.converted_lead_ids,
        scored.is_in_salesforce,
        scored.is_in_hubspot,
        scored.fit_score,
        scored.fit_grade,
        scored.engagement_score,
        engagement_score_levels.engagement_level,
        scored.fit_grade || engagement_score_levels.engagement_level as score_matrix,
        scored.score,
        score_tiers.tier,
        scored.negative_rules,
        lifecycle.lifecycle_stage,
        {% for stage in ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] -%}
        lifecycle.{{ stage }}_at,
        lifecycle.{{ stage }}_last_entered_at,
        {% if stage != 'subscriber' -%}
        lifecycle.is_{{ stage }}_inferred,
        {% endif -%}
        {% endfor -%}
        lifecycle.mql_rule,
        lifecycle.sql_rule,
        lifecycle.pql_at,
        lifecycle.cql_at,
        lifecycle.recycle_count,
        lifecycle.recycled_at,
        lifecycle.recycle_action,
        lifecycle.recycle_rule,
        lifecycle.cooloff_until,
        owners.owner_salesforce_user_id,
        owners.owner_hubspot_owner_id,
        owners.owner_reason,
        scored.first_seen_at,
        {{ as_of_date() }} as scored_as_of
    from scored
    inner join score_tiers
        on score_tiers.score = scored.score
    inner join engagement_score_levels
        on engagement_score_levels.engagement_score = scored.engagement_score
    inner join lifecycle
        on lifecycle.person_id = scored.person_id
    inner join owners
        on owners.person_id = scored.person_id
)

select * from final
