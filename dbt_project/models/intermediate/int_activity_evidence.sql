-- The lifecycle evidence a person's activities give, one row per person, stage rule and
-- evidence, dated (int_lifecycle_events adds it to the rest): the first activity that is a lead
-- signal, each stage form, product usage first reaching its threshold within pql_window_days,
-- the first chat with buying intent. As in int_lifecycle_events, also what is dated after the
-- run date (its readers keep what happened before).
--
-- Kept up to date, not rebuilt: the nightly recomputes the people whose activities
-- int_activities wrote again, reading those rows only (touched_activities_condition).
-- int_lifecycle_events recomputes more people (lead statuses, opportunities, scores, evidence
-- coming due) and reads their evidence here rather than every activity.
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

rules as (
    select stage, rule_type, match_value
    from {{ ref('stage_rules') }}
),

-- Activities with their rule's lead-signal flag (as int_activity_points has them), read
-- without their points: no activity's id is read for the join with its cap.
activities as (
    select
        activities.*,
        activity_rules.is_lead_signal
    from {{ ref('int_activities') }} as activities
    inner join {{ ref('activity_rules') }} as activity_rules
        on activity_rules.activity_type = activities.activity_type
    {% if is_incremental() -%}
    where {{ touched_activities_condition() }}
    {%- endif %}
),

activity_signals as (
    select activities.person_id, rules.stage, rules.rule_type, rules.match_value, min(activities.occurred_at) as reached_at
    from activities
    inner join rules on rules.rule_type = 'activity_signal'
    where activities.is_lead_signal
    {{ group_by_all(4) }}
),

forms as (
    select activities.person_id, rules.stage, rules.rule_type, rules.match_value, min(activities.occurred_at) as reached_at
    from activities
    inner join rules
        on
            rules.rule_type = 'form'
            and rules.match_value = activities.source_value
    where activities.source = 'hubspot_form'
    {{ group_by_all(4) }}
),

-- Product usage: the first time the events within pql_window_days reached the threshold.
product_usage as (
    select
        person_id,
        occurred_at,
        count(*) over (
            partition by person_id order by occurred_at
            range between {{ days_of('cast(' ~ setting('pql_window_days') ~ ' as integer)', constant=true) }} preceding and current row
        ) as events_in_window
    from activities
    where activity_type = 'product_usage'
),

product_qualified as (
    select product_usage.person_id, rules.stage, rules.rule_type, rules.match_value, min(product_usage.occurred_at) as reached_at
    from product_usage
    inner join rules
        on
            rules.rule_type = 'product_usage_at_least'
            and product_usage.events_in_window >= cast(rules.match_value as double)
    {{ group_by_all(4) }}
),

chat_intents as (
    select activities.person_id, rules.stage, rules.rule_type, rules.match_value, min(activities.occurred_at) as reached_at
    from activities
    inner join rules on rules.rule_type = 'chat_intent'
    where activities.activity_type = 'chat_buying_intent'
    {{ group_by_all(4) }}
),

final as (
    select * from activity_signals
    union all
    select * from forms
    union all
    select * from product_qualified
    union all
    select * from chat_intents
)

select * from final
