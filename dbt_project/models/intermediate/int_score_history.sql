-- The running score of each person at each moment it could have risen: when they were first
-- known and at each scoring activity. Between those moments it only decays, so its first moment
-- at or over a threshold is when the threshold was crossed. Fit, field signals and negatives
-- count at their current value; activities decay to the moment, with their caps and windows.
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

activities as (
    select * from {{ ref('int_activities_scored') }}
),

scoring as (
    select * from activities
    where points <> 0
),

moments as (
    select person_id, occurred_at as evaluated_at
    from scoring
    where points > 0
    union
    select person_id, first_seen_at
    from people
    where first_seen_at < {{ as_of_end() }}
),

contributions as (
    select
        moments.person_id,
        moments.evaluated_at,
        scoring.activity_type,
        scoring.cap,
        case
            when scoring.half_life_days is null then scoring.points
            else scoring.points * pow(
                0.5,
                date_diff('second', scoring.occurred_at, moments.evaluated_at) / 86400.0 / scoring.half_life_days
            )
        end as points_then
    from moments
    inner join scoring
        on
            scoring.person_id = moments.person_id
            and scoring.occurred_at <= moments.evaluated_at
            and (
                scoring.window_days is null
                or date_diff('second', scoring.occurred_at, moments.evaluated_at) <= scoring.window_days * 86400
            )
),

per_type as (
    select
        person_id,
        evaluated_at,
        activity_type,
        least(sum(points_then), coalesce(max(cap), 'infinity'::double)) as points
    from contributions
    group by person_id, evaluated_at, activity_type
),

activity_points as (
    select
        person_id,
        evaluated_at,
        sum(points) as points
    from per_type
    group by person_id, evaluated_at
),

final as (
    select
        moments.person_id,
        moments.evaluated_at,
        fit.fit_score + cast(round(
            coalesce(activity_points.points, 0) + engagement.field_points + engagement.negative_points
        ) as integer) as running_score
    from moments
    inner join fit
        on fit.person_id = moments.person_id
    inner join engagement
        on engagement.person_id = moments.person_id
    left join activity_points
        on
            activity_points.person_id = moments.person_id
            and activity_points.evaluated_at = moments.evaluated_at
)

select * from final
