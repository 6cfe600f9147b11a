{#- Every activity of every person across both CRMs, typed by the activity_mapping seed: the body
    of int_activities. int_touched_people asks it which people the rows landed since the last
    build belong to (loaded_since), and the incremental int_activities asks for every activity
    of the people touched (people: a condition on int_people_records' person_id).

    source_value is what the mapping matches (a form name, an email event type, a page path,
    a campaign type:status ...); `*` in the seed is a wildcard, the most specific row wins.
    Activities no CRM record can be tied to, or that no seed row maps, are left out.
    actor_id is who did it on our side: the rep (Salesforce User or HubSpot owner) of a sales
    task, calendar event or engagement, the chat agent; null for the person's own activities.
    parent_record_id is the chat thread of a chat's rows (a thread changed touches them all). -#}
{% macro activity_rows(people=none, loaded_since=none) %}
{#- The rows landed since: since_in for a table named ALIAS, since for a CTE's own. -#}
{%- set since_in = ('where ALIAS._loaded_at > ' ~ loaded_since) if loaded_since is not none else '' %}
{%- set since = since_in | replace('ALIAS.', '') %}
{#- Some people's activities (a nightly's, not a recompute of everyone's): read from their rows. -#}
{%- set few = people is not none and build_is_full() == 'false' %}
{#- What activity_mapping matches, per source: each branch below computes it, and so does
    source_values, for everyone straight from the staging tables (a CTE read twice would be
    materialized, every activity's row of it). -#}
{%- set form_value = "coalesce(forms.form_name, form_submissions.form_id)" %}
{%- set email_value -%}
email_events.event_type || coalesce(
                ':' || case email_events.event_type
                    when 'BOUNCE' then email_events.bounce_category
                    when 'STATUSCHANGE' then email_events.subscription_status
                end,
                ''
            )
{%- endset %}
{%- set web_value = "web_events.page_path" %}
{%- set task_value = "coalesce(tasks.task_type, tasks.task_subtype, 'Task')" %}
{%- set event_value = "coalesce(new_calendar_events.event_type, new_calendar_events.event_subtype, 'Event')" %}
{%- set campaign_value = "coalesce(campaigns.campaign_type, 'Other') || ':' || coalesce(campaign_members.status, '')" %}
{%- set product_value = "product_usage.event_name" %}
    with

    records as (
        select * from {{ ref('int_people_records') }}
    ),

    form_submissions as (
        select * from {{ ref('stg_hubspot__form_submissions') }}
        {{ since }}
    ),

    forms as (
        select * from {{ ref('stg_hubspot__forms') }}
    ),

    email_events as (
        select * from {{ ref('stg_hubspot__email_events') }}
        {{ since }}
    ),

    web_events as (
        select * from {{ ref('stg_hubspot__web_events') }}
        {{ since }}
    ),

    calls as (
        select * from {{ ref('stg_hubspot__calls') }}
        {{ since }}
    ),

    emails as (
        select * from {{ ref('stg_hubspot__emails') }}
        {{ since }}
    ),

    meetings as (
        select * from {{ ref('stg_hubspot__meetings') }}
        {{ since }}
    ),

    notes as (
        select * from {{ ref('stg_hubspot__notes') }}
        {{ since }}
    ),

    tasks as (
        select * from {{ ref('stg_salesforce__tasks') }}
        {{ since }}
    ),

    calendar_events as (
        select * from {{ ref('stg_salesforce__events') }}
    ),

    new_calendar_events as (
        select * from calendar_events
        {{ since }}
    ),

    campaign_members as (
        select * from {{ ref('stg_salesforce__campaign_members') }}
        {{ since }}
    ),

    campaigns as (
        select * from {{ ref('stg_salesforce__campaigns') }}
    ),

    threads as (
        select * from {{ ref('stg_hubspot__conversation_threads') }}
    ),

    new_threads as (
        select * from threads
        {{ since }}
    ),

    messages as (
        select * from {{ ref('stg_hubspot__conversation_messages') }}
        {{ since }}
    ),

    product_usage as (
        select * from {{ ref('stg_product__usage_events') }}
        {% if loaded_since is not none %}
        -- Files carry no load time: int_touched_people compares them with the last build instead.
        where false
        {% endif %}
    ),

    activity_mapping as (
        select * from {{ ref('activity_mapping') }}
    ),

    -- An email's activities go to the person of its first record by survivorship, whoever is asked.
    -- For a few people, only their emails are grouped (each over all its records).
    person_emails as (
        select *
        from (
            select
                email,
                {{ arg_min('person_id', 'survivorship_rank') }} as person_id
            from records
            where
                email is not null
                {%- if few %}
                and email in (select email from records where {{ people }})
                {%- endif %}
            group by email
        ) as first_records
        {% if people is not none %}
        where {{ people }}
        {% endif %}
    ),

    record_people as (
        select
            vendor,
            record_id,
            person_id
        from records
        {% if people is not none %}
        where {{ people }}
        {% endif %}
    ),

    form_activities as (
        select
            'hubspot_form' as source,
            form_submissions.conversion_id as source_record_id,
            person_emails.person_id,
            form_submissions.submitted_at as occurred_at,
            {{ form_value }} as source_value,
            cast(null as varchar) as actor_id
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
            {{ email_value }} as source_value,
            cast(null as varchar) as actor_id
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
            {{ web_value }} as source_value,
            cast(null as varchar) as actor_id
        from web_events
        inner join record_people
            on
                record_people.vendor = 'hubspot'
                and record_people.record_id = web_events.object_id
        where web_events.object_type = 'CONTACT'
    ),

    engagements as (
        select
            'call' as kind, hubspot_call_id as engagement_id, occurred_at, 'call' as source_value, owner_id,
            hubspot_contact_ids
        from calls
        union all
        select 'email', hubspot_email_id, occurred_at, 'email:' || coalesce(direction, 'EMAIL'), owner_id, hubspot_contact_ids
        from emails
        union all
        select 'meeting', hubspot_meeting_id, occurred_at, 'meeting', owner_id, hubspot_contact_ids
        from meetings
        union all
        select 'note', hubspot_note_id, occurred_at, 'note', owner_id, hubspot_contact_ids
        from notes
    ),

    engagement_contacts as (
        select
            kind,
            engagement_id,
            occurred_at,
            source_value,
            owner_id,
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
            engagement_contacts.source_value,
            engagement_contacts.owner_id as actor_id
        from engagement_contacts
        inner join record_people
            on
                record_people.vendor = 'hubspot'
                and record_people.record_id = engagement_contacts.hubspot_contact_id
    ),

    -- A meeting reps log as a task and also keep in the calendar is one meeting: a task with an
    -- event of the same person, rep, type and day is left out (the event has the time it began).
    task_activities as (
        select
            'salesforce_task' as source,
            tasks.task_id as source_record_id,
            record_people.person_id,
            tasks.created_at as occurred_at,
            {{ task_value }} as source_value,
            tasks.owner_id as actor_id
        from tasks
        inner join record_people
            on
                record_people.vendor = 'salesforce'
                and record_people.record_id = tasks.who_id
        where not exists (
            select 1
            from calendar_events
            where
                calendar_events.who_id = tasks.who_id
                and calendar_events.owner_id = tasks.owner_id
                and calendar_events.event_type = tasks.task_type
                and coalesce(calendar_events.activity_date, cast(calendar_events.started_at as date))
                = coalesce(tasks.activity_date, cast(tasks.created_at as date))
        )
    ),

    -- A calendar event counts when it starts (a meeting booked for next week is not one yet).
    event_activities as (
        select
            'salesforce_event' as source,
            new_calendar_events.event_id as source_record_id,
            record_people.person_id,
            coalesce(
                new_calendar_events.started_at,
                new_calendar_events.activity_at,
                cast(new_calendar_events.activity_date as timestamp)
            ) as occurred_at,
            {{ event_value }} as source_value,
            new_calendar_events.owner_id as actor_id
        from new_calendar_events
        inner join record_people
            on
                record_people.vendor = 'salesforce'
                and record_people.record_id = new_calendar_events.who_id
    ),

    campaign_activities as (
        select
            'salesforce_campaign_member' as source,
            campaign_members.campaign_member_id as source_record_id,
            record_people.person_id,
            campaign_members.created_at as occurred_at,
            {{ campaign_value }} as source_value,
            cast(null as varchar) as actor_id
        from campaign_members
        inner join record_people
            on
                record_people.vendor = 'salesforce'
                and record_people.record_id = coalesce(campaign_members.contact_id, campaign_members.lead_id)
        left join campaigns
            on campaigns.campaign_id = campaign_members.campaign_id
    ),

    -- A chat is one activity when it starts; each visitor message that shows buying intent
    -- (a pattern of chat_intent_rules) is another.
    chat_threads as (
        select
            'hubspot_chat' as source,
            'thread:' || new_threads.thread_id as source_record_id,
            record_people.person_id,
            new_threads.created_at as occurred_at,
            'thread' as source_value,
            new_threads.assigned_to as actor_id,
            'thread:' || new_threads.thread_id as parent_record_id
        from new_threads
        inner join record_people
            on
                record_people.vendor = 'hubspot'
                and record_people.record_id = new_threads.hubspot_contact_id
        where not new_threads.is_spam
    ),

    intent_messages as (
        select messages.message_id
        from messages
        where
            messages.direction = 'INCOMING'
            and {{ regexp_contains('lower(messages.message_text)', chat_intent_pattern(ref('chat_intent_rules'))) }}
    ),

    chat_intents as (
        select
            'hubspot_chat' as source,
            'message:' || messages.message_id as source_record_id,
            record_people.person_id,
            messages.created_at as occurred_at,
            'intent' as source_value,
            cast(null as varchar) as actor_id,
            'thread:' || threads.thread_id as parent_record_id
        from intent_messages
        inner join messages
            on messages.message_id = intent_messages.message_id
        inner join threads
            on threads.thread_id = messages.thread_id
        inner join record_people
            on
                record_people.vendor = 'hubspot'
                and record_people.record_id = threads.hubspot_contact_id
        where not threads.is_spam
    ),

    product_activities as (
        select
            'product_usage' as source,
            product_usage.usage_event_id as source_record_id,
            person_emails.person_id,
            product_usage.occurred_at,
            {{ product_value }} as source_value,
            cast(null as varchar) as actor_id
        from product_usage
        inner join person_emails
            on person_emails.email = product_usage.email
    ),

    unioned as (
        {{- union_all_by_name(
            ['form_activities', 'email_activities', 'web_activities', 'engagement_activities',
             'task_activities', 'event_activities', 'campaign_activities', 'chat_threads',
             'chat_intents', 'product_activities'],
            ['source', 'source_record_id', 'person_id', 'occurred_at', 'source_value', 'actor_id',
             'parent_record_id'],
            {'parent_record_id': ['chat_threads', 'chat_intents']},
        ) }}
    ),

    -- Values repeat a lot: each distinct one is matched to the seed once, the most specific row
    -- first (an exact value, then the longest pattern). For everyone (or the rows landed since)
    -- read from the staging tables, not from unioned (see source_values' note at the top; a value
    -- of a row no person has is harmless); for a few people from their rows, which read twice
    -- cost less than every staging row's value.
    source_values as (
        {%- if few %}
        select distinct source, source_value
        from unioned
        {%- else %}
        select distinct 'hubspot_form' as source, {{ form_value }} as source_value
        from {{ ref('stg_hubspot__form_submissions') }} as form_submissions
        left join forms
            on forms.form_id = form_submissions.form_id
        {{ since_in | replace('ALIAS', 'form_submissions') }}
        union
        select distinct 'hubspot_email_event', {{ email_value }}
        from {{ ref('stg_hubspot__email_events') }} as email_events
        {{ since_in | replace('ALIAS', 'email_events') }}
        union
        select distinct 'hubspot_web_event', {{ web_value }}
        from {{ ref('stg_hubspot__web_events') }} as web_events
        {{ since_in | replace('ALIAS', 'web_events') }}
        union
        select 'hubspot_engagement', unnest({{ text_list(["'call'", "'meeting'", "'note'"]) }})
        union
        select distinct 'hubspot_engagement', 'email:' || coalesce(emails.direction, 'EMAIL')
        from {{ ref('stg_hubspot__emails') }} as emails
        {{ since_in | replace('ALIAS', 'emails') }}
        union
        select distinct 'salesforce_task', {{ task_value }}
        from {{ ref('stg_salesforce__tasks') }} as tasks
        {{ since_in | replace('ALIAS', 'tasks') }}
        union
        select distinct 'salesforce_event', {{ event_value }}
        from new_calendar_events
        union
        select distinct 'salesforce_campaign_member', {{ campaign_value }}
        from {{ ref('stg_salesforce__campaign_members') }} as campaign_members
        left join campaigns
            on campaigns.campaign_id = campaign_members.campaign_id
        {{ since_in | replace('ALIAS', 'campaign_members') }}
        union
        select 'hubspot_chat', unnest({{ text_list(["'thread'", "'intent'"]) }})
        union
        select distinct 'product_usage', {{ product_value }}
        from product_usage
        {%- endif %}
    ),

    value_types as (
        select
            source_values.source,
            source_values.source_value,
            {{ arg_min(
                'activity_mapping.activity_type',
                "(" ~ contains_text('activity_mapping.match_value', "'*'") ~ ", -length(activity_mapping.match_value))"
            ) }} as activity_type
        from source_values
        inner join activity_mapping
            on
                activity_mapping.source = source_values.source
                and {{ glob_match('source_values.source_value', 'activity_mapping.match_value') }}
        group by source_values.source, source_values.source_value
    ),

    typed as (
        select
            unioned.*,
            value_types.activity_type
        from unioned
        inner join value_types
            on
                value_types.source = unioned.source
                and value_types.source_value = unioned.source_value
    ),

    final as (
        select
            source || ':' || source_record_id || ':' || person_id as activity_id,
            person_id,
            activity_type,
            source,
            source_record_id,
            source_value,
            actor_id,
            occurred_at,
            parent_record_id
        from typed
        where occurred_at is not null
    )

    select * from final
    
{% endmacro %}
