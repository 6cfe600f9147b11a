-- What a person's running score rests on besides their activities: fit, field signals and
-- negatives at their current values, and when they were first known. int_score_history
-- recomputes the people whose base changed since its last build (changed_at after it), beside
-- the people whose activities did. Rebuilt each run from int_people_unified, int_people_fit,
-- int_engagement_scores and its own last version.
{%- set previous = adapter.get_relation(this.database, this.schema, this.identifier) %}
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

current_bases as (
    select
        people.person_id,
        people.first_seen_at,
        fit.fit_score,
        engagement.field_points + engagement.negative_points as other_points
    from people
    inner join fit
        on fit.person_id = people.person_id
    inner join engagement
        on engagement.person_id = people.person_id
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
