-- The activities whose type's cap cut the points they gave when they happened, with the points
-- they gave (int_activity_points reads the rest at their rule's points). An activity tops its
-- type up to the cap and no further. A type's points then decay by its half-life (halving
-- every half_life_days) or count in full for window_days (the two may be combined; with
-- neither they never fade). Activities after the run date are left out.
-- Only capped types of a person whose points, all of them undecayed, pass the cap need the
-- windows below (decay only lowers the sum): 2.4% of the activities of the benchmark's
-- company; the others give their rule's points in full.
--
-- The cap at the moment of each activity has a closed form, so no row-by-row recursion:
-- with x = days from the run date / half-life (0 without decay) and P = the running sum of
-- points x 2^x, the type's points right after activity a are 2^-x_a x (P_a + m_a), where
-- m_a = min(0, min over j <= a of (cap x 2^x_j - P_j)); so activity a gave
-- points_a + 2^-x_a x (m_a - m_(a-1)). Two sorted passes per type: P, then both m.
-- (Any reference moment gives the same points; the run date keeps 2^x at most 1, and x is
-- held above -1000 so that 2^x never underflows to zero.)
-- For window-only types the room under the cap is what the type gave in the window before.
--
-- Kept up to date, not rebuilt: a person's points depend on their activities alone, so the
-- nightly recomputes the people touched since the last build (int_touched_people) only.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
{#- int_activities is read twice, not through one CTE: DuckDB would materialize a CTE read twice,
    every activity's row, where two scans read only the columns each needs. -#}
{%- set capped_activities -%}
    (
        select
            activities.activity_id,
            activities.person_id,
            activities.activity_type,
            activities.occurred_at,
            capped_rules.points,
            capped_rules.cap,
            capped_rules.half_life_days,
            capped_rules.window_days
        from {{ ref('int_activities') }} as activities
        inner join capped_rules
            on capped_rules.activity_type = activities.activity_type
        where
            activities.occurred_at < {{ as_of_end() }}
            {% if is_incremental() -%}
            and {{ touched_activities_condition() }}
            {%- endif %}
    )
{%- endset %}
with

capped_rules as (
    select * from {{ ref('activity_rules') }}
    where cap is not null
),

-- The types of a person that can pass their cap: their points, all undecayed, add up to more.
over_cap as (
    select person_id, activity_type
    from {{ capped_activities }} as capped
    group by person_id, activity_type
    having sum(points) > {{ any_value('cap') }}
),

over_cap_activities as (
    select *
    from {{ capped_activities }} as capped
    {{ semi_join('over_cap', 'over_cap.person_id = capped.person_id
            and over_cap.activity_type = capped.activity_type') }}
),

-- Capped half-life types and capped types without decay: the closed form above.
decaying as (
    select
        *,
        sum(points * pow(2, decay_exponent)) over running as scaled_sum
    from (
        select
            *,
            coalesce(
                greatest(
                    ({{ epoch_seconds('occurred_at') }} - {{ epoch_seconds(as_of_end()) }}) / 86400.0 / half_life_days,
                    -1000
                ),
                0
            ) as decay_exponent
        from over_cap_activities
        where half_life_days is not null or window_days is null
    ) as exponents
    window running as (
        partition by person_id, activity_type order by occurred_at, activity_id
        rows between unbounded preceding and current row
    )
),

decaying_given as (
    select
        activity_id,
        person_id,
        points,
        points + pow(2, -decay_exponent) * (
            least(0, min(room) over running) - least(0, coalesce(min(room) over before, 0))
        ) as points_given
    from (
        select
            *,
            cap * pow(2, decay_exponent) - scaled_sum as room
        from decaying
    ) as rooms
    window
        running as (
            partition by person_id, activity_type order by occurred_at, activity_id
            rows between unbounded preceding and current row
        ),
        before as (
            partition by person_id, activity_type order by occurred_at, activity_id
            rows between unbounded preceding and 1 preceding
        )
),

-- Window-only types: points up to the room the cap leaves after what the type gave in the
-- window before (earlier activities at the same moment first).
windowed_given as (
    select
        activity_id,
        person_id,
        points,
        least(points, greatest(cap - coalesce(points_in_window_before, 0), 0)) as points_given
    from (
        select
            *,
            {{ sum_in_range_before(
                'points', 'person_id, activity_type', 'window_order',
                'cast(window_days * 86400e6 * 8 as bigint)', 'window_days',
                'select distinct window_days from ' ~ ref('activity_rules') ~ ' where window_days is not null'
            ) }} as points_in_window_before
        from (
            select
                *,
                {{ epoch_us('occurred_at') }} * 8
                + least(row_number() over (partition by person_id, activity_type, occurred_at order by activity_id) - 1, 7)
                    as window_order
            from over_cap_activities
            where half_life_days is null and window_days is not null
        ) as ordered
    ) as windowed
),

capped_given as (
    select * from decaying_given
    union all
    select * from windowed_given
),

final as (
    select
        activity_id,
        person_id,
        -- Rounded away from float noise: 1e-9 of a point explains nothing.
        {{ round_to('points_given', 9) }} as points_given
    from capped_given
    where {{ round_to('points_given', 9) }} < points
)

select * from final
