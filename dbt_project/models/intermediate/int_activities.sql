-- Every activity of every person across both CRMs, typed by the activity_mapping seed.
-- source_value is what the mapping matches (a form name, an email event type, a page path,
-- a campaign type:status ...); `*` in the seed is a wildcard, the most specific row wins.
-- Activities no CRM record can be tied to, or that no seed row maps, are left out.
with

records as (
    select * from {{ ref('int_people_records') }}
),

form_submissions as (
    select * from {{ ref('stg_hubspot__form_submissions') }}
),

forms as (
    select * from {{ ref('stg_hubspot__forms') }}
),

email_events as (
    select * from {{ ref('stg_hubspot__email_events') }}
),

web_events as (
    select * from {{ ref('stg_hubspot__web_events') }}
),

calls as (
    select * from {{ ref('stg_hubspot__calls') }}
),

emails as (
    select * from {{ ref('stg_hubspot__emails') }}
),

meetings as (
    select * from {{ ref('stg_hubspot__meetings') }}
),

notes as (
    select * from {{ ref('stg_hubspot__notes') }}
),

tasks as (
    select * from {{ ref('stg_salesforce__tasks') }}
),

campaign_members as (
    select * from {{ ref('stg_salesforce__campaign_members') }}
),

campaigns as (
    select * from {{ ref('stg_salesforce__campaigns') }}
),

activity_mapping as (
    select * from {{ ref('activity_mapping') }}
),

person_emails as (
    select
        email,
        arg_min(person_id, survivorship_rank) as person_id
    from records
    where email is not null
    group by email
),

record_people as (
    select
        vendor,
        record_id,
        person_id
    from records
),

form_activities as (
    select
        'hubspot_form' as source,
        form_submissions.conversion_id as source_record_id,
        person_emails.person_id,
        form_submissions.submitted_at as occurred_at,
        coalesce(forms.form_name, form_submissions.form_id) as source_value
    from form_submissions
    inner join person_emails
        on person_emails.email = form_submissions.email
    left join forms
        on forms.form_id = form_submissions.form_id
),

email_activities as (
    select
        'hubspot_email_event' as source,
        email_events.email_event_id as source_record_id,
        person_emails.person_id,
        email_events.occurred_at,
        email_events.event_type || coalesce(
            ':' || case email_events.event_type
                when 'BOUNCE' then email_events.bounce_category
                when 'STATUSCHANGE' then email_events.subscription_status
            end,
            ''
        ) as source_value
    from email_events
    inner join person_emails
        on person_emails.email = email_events.recipient_email
),

web_activities as (
    select
        'hubspot_web_event' as source,
        web_events.web_event_id as source_record_id,
        record_people.person_id,
        web_events.occurred_at,
        web_events.page_path as source_value
    from web_events
    inner join record_people
        on
            record_people.vendor = 'hubspot'
            and record_people.record_id = web_events.object_id
    where web_events.object_type = 'CONTACT'
),

engagements as (
    select 'call' as kind, hubspot_call_id as engagement_id, occurred_at, 'call' as source_value, hubspot_contact_ids
    from calls
    union all
    select 'email', hubspot_email_id, occurred_at, 'email:' || coalesce(direction, 'EMAIL'), hubspot_contact_ids
    from emails
    union all
    select 'meeting', hubspot_meeting_id, occurred_at, 'meeting', hubspot_contact_ids
    from meetings
    union all
    select 'note', hubspot_note_id, occurred_at, 'note', hubspot_contact_ids
    from notes
),

engagement_contacts as (
    select
        kind,
        engagement_id,
        occurred_at,
        source_value,
        unnest(hubspot_contact_ids) as hubspot_contact_id
    from engagements
),

engagement_activities as (
    -- One activity per person, even when the engagement names two of their records.
    select distinct
        'hubspot_engagement' as source,
        engagement_contacts.kind || ':' || engagement_contacts.engagement_id as source_record_id,
        record_people.person_id,
        engagement_contacts.occurred_at,
        engagement_contacts.source_value
    from engagement_contacts
    inner join record_people
        on
            record_people.vendor = 'hubspot'
            and record_people.record_id = engagement_contacts.hubspot_contact_id
),

task_activities as (
    select
        'salesforce_task' as source,
        tasks.task_id as source_record_id,
        record_people.person_id,
        tasks.created_at as occurred_at,
        coalesce(tasks.task_type, tasks.task_subtype, 'Task') as source_value
    from tasks
    inner join record_people
        on
            record_people.vendor = 'salesforce'
            and record_people.record_id = tasks.who_id
),

campaign_activities as (
    select
        'salesforce_campaign_member' as source,
        campaign_members.campaign_member_id as source_record_id,
        record_people.person_id,
        campaign_members.created_at as occurred_at,
        coalesce(campaigns.campaign_type, 'Other') || ':' || coalesce(campaign_members.status, '') as source_value
    from campaign_members
    inner join record_people
        on
            record_people.vendor = 'salesforce'
            and record_people.record_id = coalesce(campaign_members.contact_id, campaign_members.lead_id)
    left join campaigns
        on campaigns.campaign_id = campaign_members.campaign_id
),

unioned as (
    select * from form_activities
    union all
    select * from email_activities
    union all
    select * from web_activities
    union all
    select * from engagement_activities
    union all
    select * from task_activities
    union all
    select * from campaign_activities
),

typed as (
    select
        unioned.*,
        activity_mapping.activity_type
    from unioned
    inner join activity_mapping
        on
            activity_mapping.source = unioned.source
            and unioned.source_value glob activity_mapping.match_value
    -- The most specific row: an exact value, then the longest pattern.
    qualify row_number() over (
        partition by unioned.source, unioned.source_record_id, unioned.person_id
        order by
            contains(activity_mapping.match_value, '*'),
            length(activity_mapping.match_value) desc
    ) = 1
),

final as (
    select
        source || ':' || source_record_id || ':' || person_id as activity_id,
        person_id,
        activity_type,
        source,
        source_record_id,
        source_value,
        occurred_at
    from typed
    where occurred_at is not null
)

select * from final
