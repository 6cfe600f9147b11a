-- The explicit way back in the funnel: when sales disqualify or recycle a person (rules of the
-- recycle_rules seed), they return to lead, and for a cool-off (scoring_settings
-- recycle_cooloff_days / disqualify_cooloff_days) no MQL or SQL evidence counts.
--   lead_status          Salesforce Lead Status (dated by LeadHistory)
--   hubspot_lead_status  HubSpot hs_lead_status (dated by its property history)
--   opportunity_lost     every opportunity (Salesforce contact role or HubSpot deal) of the
--                        person closed lost and none is open or won: at the last close
--
-- Every recycle, also what is dated after the run date: int_people_lifecycle keeps what
-- happened before it. Kept up to date, not rebuilt, with int_lifecycle_events: the nightly
-- recomputes the people touched since the last build.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
-- depends_on: {{ ref('int_score_bases') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people(also=rebased_people(), lifecycle=true) }}",
    post_hook="{{ record_increment() }}",
) }}
{%- set recomputed -%}
    {%- if is_incremental() %} where {{ touched_people_condition(also=rebased_people(), lifecycle=true) }}{% endif -%}
{%- endset %}
with

recycle_rules as (
    select * from {{ ref('recycle_rules') }}
),

status_changes as (
    select * from {{ ref('int_lead_status_changes') }}{{ recomputed }}
),

person_opportunities as (
    select * from {{ ref('int_person_opportunities') }}{{ recomputed }}
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

lost as (
    select
        person_opportunities.person_id,
        max(person_opportunities.closed_at) as recycled_at,
        recycle_rules.action,
        recycle_rules.rule_type || ':' || recycle_rules.match_value as rule
    from person_opportunities
    inner join recycle_rules
        on recycle_rules.rule_type = 'opportunity_lost'
    {{ group_by_all([1, 3, 4]) }}
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
        recycled_at + {{ days_of("cast(
            case action
                when 'disqualify' then " ~ setting('disqualify_cooloff_days') ~ "
                else " ~ setting('recycle_cooloff_days') ~ "
            end as integer
        )") }} as cooloff_until
    from unioned
    where recycled_at is not null
)

select * from final
