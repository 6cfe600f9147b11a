-- Reasons a person is less likely to buy, one row per person and rule that applies, with the
-- points of the negative_rules seed. They apply in full, with no decay.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

fit as (
    select * from {{ ref('int_people_fit') }}
),

activities as (
    select * from {{ ref('int_activities') }}
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
