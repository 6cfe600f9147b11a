-- Engagement per person as of the run date: decayed activity points capped per activity type,
-- plus field signals, plus negative rules. engagement_score is rounded to an integer.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

activities as (
    select * from {{ ref('int_activities_scored') }}
),

field_signals as (
    select * from {{ ref('int_field_signals') }}
),

negative_signals as (
    select * from {{ ref('int_negative_signals') }}
),

per_type as (
    select
        person_id,
        activity_type,
        least(sum(decayed_points), coalesce(max(cap), 'infinity'::double)) as points
    from activities
    group by person_id, activity_type
),

activity_points as (
    select
        person_id,
        sum(points) as points,
        count(*) filter (where points <> 0) as scoring_activity_types
    from per_type
    group by person_id
),

field_points as (
    select
        person_id,
        sum(points) as points
    from field_signals
    group by person_id
),

negative_points as (
    select
        person_id,
        sum(points) as points,
        list(rule order by rule) as rules
    from negative_signals
    group by person_id
),

final as (
    select
        people.person_id,
        coalesce(activity_points.points, 0) as activity_points,
        coalesce(field_points.points, 0) as field_points,
        coalesce(negative_points.points, 0) as negative_points,
        coalesce(negative_points.rules, []) as negative_rules,
        cast(round(
            coalesce(activity_points.points, 0)
            + coalesce(field_points.points, 0)
            + coalesce(negative_points.points, 0)
        ) as integer) as engagement_score
    from people
    left join activity_points
        on activity_points.person_id = people.person_id
    left join field_points
        on field_points.person_id = people.person_id
    left join negative_points
        on negative_points.person_id = people.person_id
)

select * from final
