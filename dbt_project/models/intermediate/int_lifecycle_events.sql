-- Each piece of evidence that a person reached a lifecycle stage, and when, one row per person,
-- stage rule and evidence. The rules (which form, status, HubSpot stage, score threshold) are
-- rows of the stage_rules seed; each rule_type is read from the place this model names.
-- pql and cql are tracks beside MQL, not stages (no stage_order). A score threshold gives
-- an event at each upward crossing (a recycled person may cross again after the cool-off).
-- Dates only: a stage's dates are decided in int_people_lifecycle.
--
-- Every piece of evidence, also what is dated after the run date: readers keep what happened
-- before it (reached_at < as_of_end), so that evidence coming due is a change of the people
-- it concerns (int_touched_people), not of this table. What activities give comes from
-- int_activity_evidence. Kept up to date, not rebuilt: the nightly recomputes the people
-- touched since the last build (their records, activities, lead statuses, opportunities or
-- evidence coming due) and those whose score history was recomputed (int_score_bases).
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

stage_rules as (
    select * from {{ ref('stage_rules') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

people as (
    select * from {{ ref('int_people_unified') }}{{ recomputed }}
),

records as (
    select * from {{ ref('int_people_records') }}{{ recomputed }}
),

score_history as (
    select * from {{ ref('int_score_history') }}{{ recomputed }}
),

status_changes as (
    select * from {{ ref('int_lead_status_changes') }}{{ recomputed }}
),

person_opportunities as (
    select * from {{ ref('int_person_opportunities') }}{{ recomputed }}
),

-- What the activities give (the first lead signal, forms, product usage, chats with intent).
activity_evidence as (
    select person_id, stage, rule_type, match_value, reached_at
    from {{ ref('int_activity_evidence') }}{{ recomputed }}
),

rules as (
    select
        stage_rules.stage,
        stage_rules.rule_type,
        stage_rules.match_value
    from stage_rules
),

known as (
    select people.person_id, rules.stage, rules.rule_type, rules.match_value, people.first_seen_at as reached_at
    from people
    inner join rules on rules.rule_type = 'known'
),

salesforce_records as (
    select records.person_id, rules.stage, rules.rule_type, rules.match_value, min(records.created_at) as reached_at
    from records
    inner join rules on rules.rule_type = 'salesforce_record'
    where records.vendor = 'salesforce'
    {{ group_by_all(4) }}
),

score_moments as (
    select
        score_history.*,
        lag(score_history.moment_number) over by_moment as previous_moment_number,
        lag(score_history.running_score) over by_moment as previous_score
    from score_history
    window by_moment as (partition by score_history.person_id order by score_history.moment_number)
),

-- An upward crossing: over the threshold, and the moment before was under it (moments that
-- are not in score_history were under every threshold).
scores as (
    select score_moments.person_id, rules.stage, rules.rule_type, rules.match_value, score_moments.evaluated_at as reached_at
    from score_moments
    inner join rules
        on
            rules.rule_type = 'score_at_least'
            and score_moments.running_score >= cast(rules.match_value as double)
    where
        score_moments.previous_moment_number is distinct from score_moments.moment_number - 1
        or score_moments.previous_score < cast(rules.match_value as double)
),

hubspot_stages_entered as (
    select
        person_id,
        {{ unnest_record_fields('hubspot_stages_entered', [('stage', 'varchar'), ('entered_at', 'timestamp')]) }}
    from records
    where {{ records_length('hubspot_stages_entered') }} > 0
),

hubspot_stages as (
    select
        hubspot_stages_entered.person_id,
        rules.stage,
        rules.rule_type,
        rules.match_value,
        min(hubspot_stages_entered.entered_at) as reached_at
    from hubspot_stages_entered
    inner join rules
        on
            rules.rule_type = 'hubspot_lifecyclestage'
            and rules.match_value = hubspot_stages_entered.stage
    {{ group_by_all(4) }}
),

-- A date leadflow wrote before is memory: a stage, once reached, stays reached. A date-only
-- value counts as the end of its day, so a time computed on the same day wins.
recorded_dates as (
    select
        records.person_id,
        rules.stage,
        rules.rule_type,
        rules.match_value,
        min(
            cast(case rules.stage when 'mql' then records.crm_mql_date when 'sql' then records.crm_sql_date end as timestamp)
            + {{ interval_of(1, 'day') }} - {{ interval_of(1, 'second') }}
        ) as reached_at
    from records
    inner join rules on rules.rule_type = 'recorded_date'
    where records.is_writable
    {{ group_by_all(4) }}
    {{ having_output('reached_at is not null') }}
),

lead_statuses as (
    select status_changes.person_id, rules.stage, rules.rule_type, rules.match_value, min(status_changes.changed_at) as reached_at
    from status_changes
    inner join rules
        on
            rules.rule_type = case status_changes.vendor when 'salesforce' then 'lead_status' else 'hubspot_lead_status' end
            and rules.match_value = status_changes.lead_status
    {{ group_by_all(4) }}
),

-- Any contact role dates the opportunity stage at its creation; a closed stage by its close
-- date.
roles as (
    select
        person_opportunities.person_id,
        rules.stage,
        rules.rule_type,
        rules.match_value,
        min(
            case
                when rules.match_value = '*' then greatest(person_opportunities.linked_at, person_opportunities.created_at)
                when person_opportunities.is_closed
                    then greatest(person_opportunities.closed_at, person_opportunities.created_at)
                else greatest(person_opportunities.linked_at, person_opportunities.created_at)
            end
        ) as reached_at
    from person_opportunities
    inner join rules
        on
            rules.rule_type = 'opportunity_contact_role'
            and rules.match_value in ('*', person_opportunities.stage)
    where person_opportunities.vendor = 'salesforce'
    {{ group_by_all(4) }}
),

hubspot_deals as (
    select
        person_opportunities.person_id,
        rules.stage,
        rules.rule_type,
        rules.match_value,
        min(
            case
                when rules.match_value = '*' then person_opportunities.created_at
                else greatest(
                    coalesce(person_opportunities.closed_at, person_opportunities.created_at),
                    person_opportunities.created_at
                )
            end
        ) as reached_at
    from person_opportunities
    inner join rules
        on
            rules.rule_type = 'hubspot_deal'
            and (
                rules.match_value in ('*', person_opportunities.stage)
                or (rules.match_value = 'closedwon' and person_opportunities.is_won)
            )
    where person_opportunities.vendor = 'hubspot'
    {{ group_by_all(4) }}
),

unioned as (
    select * from known
    union all
    select * from salesforce_records
    union all
    select * from activity_evidence
    union all
    select * from scores
    union all
    select * from hubspot_stages
    union all
    select * from recorded_dates
    union all
    select * from lead_statuses
    union all
    select * from roles
    union all
    select * from hubspot_deals
),

final as (
    select
        unioned.person_id,
        unioned.stage,
        lifecycle_stages.stage_order,
        unioned.rule_type,
        unioned.match_value,
        unioned.reached_at
    from unioned
    left join lifecycle_stages
        on lifecycle_stages.stage = unioned.stage
    where unioned.reached_at is not null
)

select * from final
