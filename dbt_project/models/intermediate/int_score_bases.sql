-- What a person's running score rests on besides their activities: fit, field signals and
-- negatives at their current values, and when they were first known. int_score_history
-- recomputes the people whose base changed since its last build (changed_at after it), beside
-- the people whose activities did. Rebuilt each run from int_people_unified, int_people_fit,
-- int_signal_points and its own last version: not from int_engagement_scores, whose decay the
-- running scores do not need, so that the nightly decays engagement beside them.
{%- set previous = adapter.get_relation(this.database, this.schema, this.identifier) %}
with

people as (
    select * from {{ ref('int_people_unified') }}
),

fit as (
    select * from {{ ref('int_people_fit') }}
),

signal_points as (
    select * from {{ ref('int_signal_points') }}
),

current_bases as (
    select
        people.person_id,
        people.first_seen_at,
        fit.fit_score,
        coalesce(signal_points.field_points, 0) + coalesce(signal_points.negative_points, 0) as other_points
    from people
    inner join fit
        on fit.person_id = people.person_id
    left join signal_points
        on signal_points.person_id = people.person_id
),

previous as (
    {% if previous is not none -%}
    select * from {{ previous }}
    {%- else -%}
    select * from current_bases, (select cast(null as timestamp) as changed_at) as never where false
    {%- endif %}
),

final as (
    select
        current_bases.*,
        case
            when
                previous.person_id is null
                or (current_bases.first_seen_at, current_bases.fit_score, current_bases.other_points)
                is distinct from (previous.first_seen_at, previous.fit_score, previous.other_points)
                then {{ build_started_at() }}
            else previous.changed_at
        end as changed_at
    from current_bases
    left join previous
        on previous.person_id = current_bases.person_id
)

select * from final
