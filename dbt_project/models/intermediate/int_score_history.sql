-- The running score of each person at the moments it could have reached a score_at_least
-- threshold of stage_rules: when they were first known and at each activity that gave points
-- (between those moments it only decays). Evaluated as the score is as of the run date: each
-- activity's points decayed to the moment, summed and capped per score group, capped in
-- total, plus fit, field signals and negatives at their current values.
--
-- No pairwise join of activities: per person, score group and half-life a running sum of
-- points x 2^(days / half-life) (with a negative entry when a window closes) gives the
-- group's points at any moment, read at each moment in the same sorted pass. Moments whose upper
-- bound (every point so far, undecayed) stays under the lowest threshold are skipped.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build
-- (int_touched_people) and those whose fit, field signals, negatives or first-seen date changed
-- (int_score_bases).
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people(also=rebased_people()) }}",
    post_hook="{{ record_increment() }}",
) }}
with

-- Fit, field signals and negatives at their current values, and when first known.
bases as (
    select * from {{ ref('int_score_bases') }}
    {% if is_incremental() -%}
    where {{ touched_people_condition(also=rebased_people()) }}
    {%- endif %}
),

activities as (
    select * from {{ ref('int_activity_points') }}
),

score_groups as (
    select * from {{ ref('score_groups') }}
),

stage_rules as (
    select * from {{ ref('stage_rules') }}
),

given as (
    select
        person_id,
        score_group,
        coalesce(half_life_days, 0) as half_life_days,
        window_days,
        occurred_at,
        points_given
    from activities
    where
        points_given <> 0
        {% if is_incremental() -%}
        and {{ touched_people_condition(also=rebased_people()) }}
        {%- endif %}
),

moment_points as (
    select person_id, occurred_at as evaluated_at, sum(greatest(points_given, 0)) as points
    from given
    group by person_id, occurred_at
    union all
    select person_id, first_seen_at, 0
    from bases
    where first_seen_at < {{ as_of_end() }}
),

moments as (
    select
        person_id,
        evaluated_at,
        row_number() over (partition by person_id order by evaluated_at) as moment_number,
        sum(points) over (partition by person_id order by evaluated_at) as points_so_far
    from (
        select person_id, evaluated_at, sum(points) as points
        from moment_points
        group by person_id, evaluated_at
        -- A moment is a time something scored, or when the person was first known.
        having sum(points) > 0 or min(points) = 0
    ) as moment_sums
),

candidates as (
    select
        moments.person_id,
        moments.evaluated_at,
        moments.moment_number,
        base.fit_score,
        base.other_points
    from moments
    inner join bases as base
        on base.person_id = moments.person_id
    where
        base.fit_score + {{ round_whole("
            least(moments.points_so_far, coalesce(" ~ setting('engagement_cap') ~ ", 'infinity'::double))
            + base.other_points
        ") }} >= (select min(cast(match_value as double)) from stage_rules where rule_type = 'score_at_least')
),

-- Per person, group and half-life: entries when points are given and when a window closes,
-- scaled by 2^(days from the run date / half-life) (1 without decay). Any reference moment
-- gives the same points; the run date needs no pass over each person's activities to find one.
-- Exponents are held above -1000 so that 2^x never underflows to zero (only activities over a
-- thousand half-lives old, worth nothing by then, are touched by it).
class_entries as (
    select
        person_id,
        score_group,
        half_life_days,
        entered_at,
        sum(scaled) as scaled
    -- Only people with a moment that could reach a threshold need their running points.
    from (select * from given where person_id in (select person_id from candidates)) as given,
    lateral (
        select
            unnest({{ list_of(['occurred_at', 'occurred_at + ' ~ microseconds('cast(window_days * 86400e6 as bigint) + 1')]) }})
                as entered_at,
            unnest({{ list_of(['1', '-1']) }}) * points_given * case
                when half_life_days = 0 then 1
                else pow(2, greatest(
                    {{ seconds_between(as_of_end(), 'occurred_at') }} / 86400.0 / half_life_days, -1000
                ))
            end as scaled
    ) as entries
    where entered_at is not null
    {{ group_by_all(4) }}
),

-- The running sums read at each candidate moment: one sorted pass per person and class over
-- its entries and the moments, an entry before a moment at the same time (an as-of join
-- would sort both sides apart, then search). A moment before the class's first entry reads 0.
class_stream as (
    select person_id, score_group, half_life_days, entered_at as moment_at, false as is_moment, scaled
    from class_entries
    union all
    select
        candidates.person_id,
        classes.score_group,
        classes.half_life_days,
        candidates.evaluated_at,
        true,
        0
    from candidates
    inner join (select distinct person_id, score_group, half_life_days from class_entries) as classes
        on classes.person_id = candidates.person_id
),

class_points as (
    select
        person_id,
        moment_at as evaluated_at,
        score_group,
        scaled_so_far * case
            when half_life_days = 0 then 1
            else pow(0.5, greatest(
                {{ seconds_between(as_of_end(), 'moment_at') }} / 86400.0 / half_life_days,
                -1000
            ))
        end as points
    from (
        select
            *,
            sum(scaled) over (
                partition by person_id, score_group, half_life_days order by moment_at, is_moment
                rows between unbounded preceding and current row
            ) as scaled_so_far
        from class_stream
    ) as running
    where is_moment
),

group_points as (
    select
        class_points.person_id,
        class_points.evaluated_at,
        least(sum(class_points.points), coalesce(max(score_groups.cap), 'infinity'::double)) as points
    from class_points
    left join score_groups
        on score_groups.score_group = class_points.score_group
    group by class_points.person_id, class_points.evaluated_at, class_points.score_group
),

activity_points as (
    select
        person_id,
        evaluated_at,
        least(sum(points), coalesce({{ setting('engagement_cap') }}, 'infinity'::double)) as points
    from group_points
    group by person_id, evaluated_at
),

final as (
    select
        candidates.person_id,
        candidates.evaluated_at,
        candidates.moment_number,
        -- Float noise (1e-12 of a point) must not decide a rounding at .5.
        candidates.fit_score + cast({{ round_whole(
            round_to('coalesce(activity_points.points, 0)', 9) ~ ' + candidates.other_points'
        ) }} as integer) as running_score
    from candidates
    left join activity_points
        on
            activity_points.person_id = candidates.person_id
            and activity_points.evaluated_at = candidates.evaluated_at
)

select * from final
