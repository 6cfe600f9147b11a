-- Activities with their points from the activity_rules seed, decayed to the run date:
-- points x 0.5 ^ (age in days / half_life_days); none after window_days; no decay when both are
-- empty. Activities after the run date are left out, so a past run date replays the past.
with

activities as (
    select * from {{ ref('int_activities') }}
),

activity_rules as (
    select * from {{ ref('activity_rules') }}
),

aged as (
    select
        activities.*,
        activity_rules.points,
        activity_rules.cap,
        activity_rules.half_life_days,
        activity_rules.window_days,
        activity_rules.is_lead_signal,
        date_diff('second', activities.occurred_at, {{ as_of_end() }}) / 86400.0 as age_days
    from activities
    inner join activity_rules
        on activity_rules.activity_type = activities.activity_type
    where activities.occurred_at < {{ as_of_end() }}
),

final as (
    select
        *,
        case
            when window_days is not null and age_days > window_days then 0
            when half_life_days is null then points
            else points * pow(0.5, age_days / half_life_days)
        end as decayed_points
    from aged
)

select * from final
