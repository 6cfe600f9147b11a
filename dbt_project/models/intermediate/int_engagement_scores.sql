-- Engagement per person as of the run date: what each activity gave (int_activity_points),
-- decayed to the run date, summed per score group and capped by the group (score_groups),
-- then capped in total (scoring_settings engagement_cap); plus field signals and negative
-- rules, which neither decay nor count toward the caps (summed per person in
-- int_signal_points). engagement_score is rounded.
-- The activities' points come from int_decayed_points, per score group and fade, decayed to the
-- run date of the build that computed them: only the days since are decayed here.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

decayed_points as (
    select * from {{ ref('int_decayed_points') }}
),

score_groups as (
    select * from {{ ref('score_groups') }}
),

signal_points as (
    select * from {{ ref('int_signal_points') }}
),

per_group as (
    select
        decayed_points.person_id,
        decayed_points.score_group,
        sum(
            case
                when
                    decayed_points.window_days is not null
                    and {{ seconds_between('decayed_points.occurred_at', as_of_end()) }} / 86400.0
                    > decayed_points.window_days
                    then 0
                else {{ decayed(
                    'decayed_points.points',
                    seconds_between('decayed_points.decayed_to', as_of_end()) ~ " / 86400.0",
                    'decayed_points.half_life_days',
                    'null'
                ) }}
            end
        ) as points,
        max(score_groups.cap) as cap
    from decayed_points
    left join score_groups
        on score_groups.score_group = decayed_points.score_group
    group by decayed_points.person_id, decayed_points.score_group
),

-- Sums rounded away from float noise, which depends on the order they are added in.
activity_points as (
    select
        person_id,
        {{ round_to('sum(points)', 9) }} as points_before_caps,
        {{ round_to("sum(least(points, coalesce(cap, 'infinity'::double)))", 9) }} as points_after_group_caps
    from per_group
    group by person_id
),

combined as (
    select
        people.person_id,
        coalesce(activity_points.points_before_caps, 0) as activity_points_before_caps,
        coalesce(activity_points.points_after_group_caps, 0) as activity_points_after_group_caps,
        least(
            coalesce(activity_points.points_after_group_caps, 0),
            coalesce({{ setting('engagement_cap') }}, 'infinity'::double)
        ) as activity_points,
        coalesce(signal_points.field_points, 0) as field_points,
        coalesce(signal_points.negative_points, 0) as negative_points,
        coalesce(signal_points.negative_rules, {{ no_items('varchar') }}) as negative_rules
    from people
    left join activity_points
        on activity_points.person_id = people.person_id
    left join signal_points
        on signal_points.person_id = people.person_id
),

final as (
    select
        person_id,
        activity_points_before_caps,
        activity_points_after_group_caps - activity_points_before_caps as group_cap_points,
        activity_points - activity_points_after_group_caps as engagement_cap_points,
        activity_points,
        field_points,
        negative_points,
        negative_rules,
        cast({{ round_whole('activity_points + field_points + negative_points') }} as integer) as engagement_score
    from combined
)

select * from final
