-- Fit: how much a person looks like a buyer, from firmographics and the job title.
-- Each attribute scores the best matching row of the fit_rules seed (a value, or a range
-- min_value <= x < max_value); missing data matches nothing and scores zero.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build.
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

people as (
    select * from {{ ref('int_people_unified') }}
    {% if is_incremental() -%}
    where {{ touched_people_condition() }}
    {%- endif %}
),

fit_rules as (
    select * from {{ ref('fit_rules') }}
),

title_rules as (
    select * from {{ ref('title_rules') }}
),

country_regions as (
    select * from {{ ref('country_regions') }}
),

fit_grades as (
    select * from {{ ref('fit_grades') }}
),

-- Titles repeat a lot: match each distinct title once.
titles as (
    select distinct lower(title) as title
    from people
    where title is not null
),

title_matches as (
    select
        titles.title,
        title_rules.dimension,
        title_rules.value,
        title_rules.priority
    from titles
    inner join title_rules
        on {{ regexp_contains('titles.title', 'title_rules.pattern') }}
),

title_values as (
    select
        title,
        {{ arg_min('value', 'priority', "dimension = 'seniority'") }} as seniority,
        {{ arg_min('value', 'priority', "dimension = 'department'") }} as department,
        {{ arg_min('value', 'priority', "dimension = 'persona'") }} as persona
    from title_matches
    group by title
),

attributes as (
    select
        people.person_id,
        people.employee_count,
        people.annual_revenue,
        people.industry,
        country_regions.region,
        title_values.seniority,
        title_values.department,
        title_values.persona
    from people
    left join country_regions
        on lower(country_regions.country) = lower(trim(people.country))
    left join title_values
        on title_values.title = lower(people.title)
),

attribute_values as (
    select person_id, 'employee_count' as attribute, null as text_value, employee_count as number_value
    from attributes
    union all
    select person_id, 'annual_revenue', null, annual_revenue from attributes
    union all
    select person_id, 'industry', industry, null from attributes
    union all
    select person_id, 'region', region, null from attributes
    union all
    select person_id, 'seniority', seniority, null from attributes
    union all
    select person_id, 'department', department, null from attributes
),

attribute_points as (
    select
        attribute_values.person_id,
        attribute_values.attribute,
        max(fit_rules.points) as points
    from attribute_values
    inner join fit_rules
        on
            fit_rules.attribute = attribute_values.attribute
            and (
                (
                    fit_rules.match_value is not null
                    and lower(fit_rules.match_value) = lower(attribute_values.text_value)
                )
                or (
                    fit_rules.match_value is null
                    and attribute_values.number_value >= coalesce(fit_rules.min_value, '-infinity'::double)
                    and attribute_values.number_value < coalesce(fit_rules.max_value, 'infinity'::double)
                )
            )
    group by attribute_values.person_id, attribute_values.attribute
),

scored as (
    select
        attributes.*,
        {% for attribute in ['employee_count', 'annual_revenue', 'industry', 'region', 'seniority', 'department'] -%}
        coalesce(sum(attribute_points.points) filter (where attribute_points.attribute = '{{ attribute }}'), 0)
            as {{ attribute }}_points,
        {% endfor -%}
        cast(coalesce(sum(attribute_points.points), 0) as integer) as fit_score
    from attributes
    left join attribute_points
        on attribute_points.person_id = attributes.person_id
    {{ group_by_all(8) }}
),

-- The grade: the one with the highest minimum the fit score reaches (an empty minimum: any).
score_grades as (
    select
        scores.fit_score,
        {{ arg_max('fit_grades.grade', "coalesce(fit_grades.min_fit_score, '-infinity'::double)") }} as fit_grade
    from (select distinct fit_score from scored) as scores
    inner join fit_grades
        on scores.fit_score >= coalesce(fit_grades.min_fit_score, '-infinity'::double)
    group by scores.fit_score
),

final as (
    select
        scored.*,
        score_grades.fit_grade
    from scored
    left join score_grades
        on score_grades.fit_score = scored.fit_score
)

select * from final
