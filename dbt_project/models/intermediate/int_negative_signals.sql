-- Reasons a person is less likely to buy, one row per person and rule that applies, with the
-- points of the negative_rules seed. They apply in full, with no decay.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build
-- (a record, the person's row, fit or activities changed); everyone when the rules change.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
{%- set recomputed -%}
    {%- if is_incremental() %} where {{ touched_people_condition() }}{% endif -%}
{%- endset %}
with

people as (
    select * from {{ ref('int_people_unified') }}{{ recomputed }}
),

records as (
    select * from {{ ref('int_people_records') }}{{ recomputed }}
),

fit as (
    select * from {{ ref('int_people_fit') }}{{ recomputed }}
),

activities as (
    select * from {{ ref('int_activities') }}
    {%- if is_incremental() %} where {{ touched_activities_condition() }}{% endif %}
),

negative_rules as (
    select * from {{ ref('negative_rules') }}
),

free_mail_domains as (
    select * from {{ ref('free_mail_domains') }}
),

competitor_domains as (
    select * from {{ ref('competitor_domains') }}
),

applies as (
    select person_id, 'unsubscribed' as rule
    from people
    where has_opted_out
    union
    select person_id, 'unsubscribed'
    from activities
    where activity_type = 'unsubscribe'
    union
    select person_id, 'hard_bounce'
    from activities
    where activity_type = 'hard_bounce'
    union
    -- Any of the person's addresses at a competitor counts.
    select records.person_id, 'competitor_domain'
    from records
    inner join competitor_domains
        on competitor_domains.domain = {{ email_domain('records.email') }}
    union
    select people.person_id, 'personal_email'
    from people
    inner join free_mail_domains
        on free_mail_domains.domain = people.email_domain
    union
    select person_id, 'student_or_job_seeker'
    from fit
    where persona = 'student_or_job_seeker'
),

final as (
    select
        applies.person_id,
        applies.rule,
        negative_rules.points
    from applies
    inner join negative_rules
        on negative_rules.rule = applies.rule
)

select * from final
