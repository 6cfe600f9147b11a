-- Every point of every score, one row per person, rule and (for activities) activity: what the
-- rule gave and what is left of it as of the run date, so that any score can be explained to
-- the point. Rows sum to people.score: fit points, each activity's points (as given when it
-- happened, capped per type then, decayed since), what the group caps and the engagement cap
-- took off, field signals, negative rules and the rounding of the engagement score.
-- A view: it is read to explain a few people, not scanned every night.
{{ config(materialized='view') }}
with

activities as (
    select * from {{ ref('int_activity_points') }}
),

score_groups as (
    select * from {{ ref('score_groups') }}
),

engagement as (
    select * from {{ ref('int_engagement_scores') }}
),

field_signals as (
    select * from {{ ref('int_field_signals') }}
),

negative_signals as (
    select * from {{ ref('int_negative_signals') }}
),

fit as (
    select * from {{ ref('int_people_fit') }}
),

activity_entries as (
    select
        person_id,
        'activity' as entry_type,
        activity_type as rule,
        score_group,
        activity_id,
        occurred_at,
        rule_points,
        points_given,
        {{ decayed(
            'points_given',
            seconds_between('occurred_at', as_of_end()) ~ " / 86400.0",
            'half_life_days',
            'window_days'
        ) }} as points_left,
        is_capped
    from activities
    where rule_points <> 0
),

group_totals as (
    select
        activity_entries.person_id,
        activity_entries.score_group,
        sum(activity_entries.points_left) as points_left,
        max(score_groups.cap) as cap
    from activity_entries
    inner join score_groups
        on score_groups.score_group = activity_entries.score_group
    group by activity_entries.person_id, activity_entries.score_group
),

group_cap_entries as (
    select
        person_id,
        'group_cap' as entry_type,
        score_group as rule,
        score_group,
        cast(null as varchar) as activity_id,
        cast(null as timestamp) as occurred_at,
        cap as rule_points,
        0 as points_given,
        cap - points_left as points_left,
        true as is_capped
    from group_totals
    where points_left > cap
),

engagement_cap_entries as (
    select
        person_id,
        'engagement_cap',
        'engagement_cap',
        null,
        null,
        {{ typed_null('timestamp') }},
        {{ setting('engagement_cap') }},
        0,
        engagement_cap_points,
        true
    from engagement
    where engagement_cap_points <> 0
),

field_entries as (
    select person_id, 'field_signal', signal || ':' || signal_value, null, null, {{ typed_null('timestamp') }}, points, points, points, false
    from field_signals
    where points <> 0
),

negative_entries as (
    select person_id, 'negative', rule, null, null, {{ typed_null('timestamp') }}, points, points, points, false
    from negative_signals
),

fit_entries as (
    select person_id, 'fit', attribute, null, null, {{ typed_null('timestamp') }}, points, points, points, false
    from (
        {{ unpivot('fit', 'person_id', {
            'employee_count': 'employee_count_points', 'annual_revenue': 'annual_revenue_points',
            'industry': 'industry_points', 'region': 'region_points', 'seniority': 'seniority_points',
            'department': 'department_points'}, 'attribute', 'points') }}
    ) as fit_points
    where points <> 0
),

-- Fit is a whole number; the engagement score is rounded once, after everything above.
rounding_entries as (
    select
        person_id,
        'rounding',
        'rounding',
        null,
        null,
        {{ typed_null('timestamp') }},
        0,
        0,
        engagement_score - (activity_points + field_points + negative_points),
        false
    from engagement
    where engagement_score <> activity_points + field_points + negative_points
),

unioned as (
    select * from activity_entries
    union all
    select * from group_cap_entries
    union all
    select * from engagement_cap_entries
    union all
    select * from field_entries
    union all
    select * from negative_entries
    union all
    select * from fit_entries
    union all
    select * from rounding_entries
),

final as (
    select
        *,
        {{ as_of_date() }} as scored_as_of
    from unioned
)

select * from final
