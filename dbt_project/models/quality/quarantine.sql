-- Bad input, named: every value of a live CRM record that leadflow could not use as given, and
-- every activity no person could be found for; one row per record, field and reason, with the
-- raw value. What leadflow does with each (the rest of the record is used as usual):
--   invalid_email    no address at all: read as none; the record is matched by its id alone
--   not_a_number     read as unknown
--   negative_number  read as unknown (no fit points, no segment from it)
--   not_a_date       read as unknown
--   date_too_early   before 1980: kept as given
--   date_in_future   after the run date: a record's creation is read as its last modification;
--                    a stage entered or an activity counts from that day on
--   unknown_value    a status no rule knows (seeds picklist_values, hubspot_lifecycle_stages):
--                    kept; no rule matches it
--   unknown_person   an activity whose lead, contact, contact id or address no live record has:
--                    not scored
--   duplicate_email  live records of one object sharing an address: one person, each written
with

salesforce_values as (
    select * from {{ ref('stg_salesforce__invalid_values') }}
),

hubspot_values as (
    select * from {{ ref('stg_hubspot__invalid_values') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

hubspot_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

tasks as (
    select * from {{ ref('stg_salesforce__tasks') }}
),

calendar_events as (
    select * from {{ ref('stg_salesforce__events') }}
),

campaign_members as (
    select * from {{ ref('stg_salesforce__campaign_members') }}
),

email_events as (
    select * from {{ ref('stg_hubspot__email_events') }}
),

form_submissions as (
    select * from {{ ref('stg_hubspot__form_submissions') }}
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

threads as (
    select * from {{ ref('stg_hubspot__conversation_threads') }}
),

picklist_values as (
    select * from {{ ref('picklist_values') }}
),

hubspot_lifecycle_stages as (
    select * from {{ ref('hubspot_lifecycle_stages') }}
),

unreadable as (
    select 'salesforce' as vendor, * from salesforce_values
    union all
    select 'hubspot', * from hubspot_values
),

lead_statuses as (
    select value from picklist_values
    where vendor = 'salesforce' and object_type = 'Lead' and field_name = 'Status'
),

hubspot_lead_statuses as (
    select value from picklist_values
    where vendor = 'hubspot' and object_type = 'contacts' and field_name = 'hs_lead_status'
),

unknown_values as (
    select 'salesforce' as vendor, 'Lead' as object_type, leads.lead_id as record_id, 'Status' as field_name,
        leads.status as raw_value
    from leads
    left join lead_statuses
        on lead_statuses.value = leads.status
    where leads.status is not null and lead_statuses.value is null
    union all
    select 'hubspot', 'contacts', hubspot_contacts.hubspot_contact_id, 'lifecyclestage',
        hubspot_contacts.lifecycle_stage
    from hubspot_contacts
    left join hubspot_lifecycle_stages
        on hubspot_lifecycle_stages.hubspot_value = hubspot_contacts.lifecycle_stage
    where hubspot_contacts.lifecycle_stage is not null and hubspot_lifecycle_stages.hubspot_value is null
    union all
    select 'hubspot', 'contacts', hubspot_contacts.hubspot_contact_id, 'hs_lead_status',
        hubspot_contacts.lead_status
    from hubspot_contacts
    left join hubspot_lead_statuses
        on hubspot_lead_statuses.value = hubspot_contacts.lead_status
    where hubspot_contacts.lead_status is not null and hubspot_lead_statuses.value is null
),

salesforce_records as (
    select record_id from records where vendor = 'salesforce'
),

hubspot_records as (
    select record_id from records where vendor = 'hubspot'
),

known_emails as (
    select distinct email from records where email is not null
),

-- Activities are tied to people as int_activities ties them (activity_rows): by the record a
-- Salesforce activity names, HubSpot's contact id, or the address of a marketing event.
salesforce_activity_people as (
    select 'Task' as object_type, task_id as record_id, 'WhoId' as field_name, who_id as person_key
    from tasks
    union all
    select 'Event', event_id, 'WhoId', who_id from calendar_events
    union all
    select
        'CampaignMember',
        campaign_member_id,
        case when contact_id is not null then 'ContactId' else 'LeadId' end,
        coalesce(contact_id, lead_id)
    from campaign_members
),

hubspot_activity_contacts as (
    select 'web_events' as object_type, web_event_id as record_id, 'objectId' as field_name, object_id as person_key
    from web_events
    where object_type = 'CONTACT'
    union all
    select 'calls', hubspot_call_id, 'associations.contacts', unnest(hubspot_contact_ids) from calls
    union all
    select 'emails', hubspot_email_id, 'associations.contacts', unnest(hubspot_contact_ids) from emails
    union all
    select 'meetings', hubspot_meeting_id, 'associations.contacts', unnest(hubspot_contact_ids) from meetings
    union all
    select 'notes', hubspot_note_id, 'associations.contacts', unnest(hubspot_contact_ids) from notes
    union all
    select 'conversation_threads', thread_id, 'associatedContactId', hubspot_contact_id
    from threads
    where not is_spam
),

hubspot_activity_emails as (
    select 'email_events' as object_type, email_event_id as record_id, 'recipient' as field_name,
        recipient_email as person_key
    from email_events
    union all
    select 'form_submissions', conversion_id, 'email', email from form_submissions
),

unknown_people as (
    select 'salesforce' as vendor, activity.object_type, activity.record_id, activity.field_name,
        activity.person_key as raw_value
    from salesforce_activity_people as activity
    left join salesforce_records
        on salesforce_records.record_id = activity.person_key
    where activity.person_key is not null and salesforce_records.record_id is null
    union all
    select 'hubspot', activity.object_type, activity.record_id, activity.field_name, activity.person_key
    from hubspot_activity_contacts as activity
    left join hubspot_records
        on hubspot_records.record_id = activity.person_key
    where activity.person_key is not null and hubspot_records.record_id is null
    union all
    select 'hubspot', activity.object_type, activity.record_id, activity.field_name, activity.person_key
    from hubspot_activity_emails as activity
    left join known_emails
        on known_emails.email = activity.person_key
    where activity.person_key is not null and known_emails.email is null
),

-- HubSpot's own event times (parsed in staging; the raw tables are the biggest there are).
hubspot_event_times as (
    select 'email_events' as object_type, email_event_id as record_id, 'created' as field_name,
        occurred_at
    from email_events
    union all
    select 'web_events', web_event_id, 'occurredAt', occurred_at from web_events
    union all
    select 'form_submissions', conversion_id, 'submittedAt', submitted_at from form_submissions
),

implausible_times as (
    select
        'hubspot' as vendor,
        object_type,
        record_id,
        field_name,
        {{ format_time('occurred_at', '%Y-%m-%dT%H:%M:%S.%gZ') }} as raw_value,
        case
            when occurred_at < timestamp '1980-01-01' then 'date_too_early'
            when occurred_at >= {{ as_of_end() }} then 'date_in_future'
        end as reason
    from hubspot_event_times
    where occurred_at < timestamp '1980-01-01' or occurred_at >= {{ as_of_end() }}
),

shared_emails as (
    select
        vendor,
        object_type,
        email
    from records
    where email is not null and not is_converted
    group by vendor, object_type, email
    having count(*) > 1
),

duplicates as (
    select
        records.vendor,
        records.object_type,
        records.record_id,
        case when records.vendor = 'salesforce' then 'Email' else 'email' end as field_name,
        records.email as raw_value
    from records
    inner join shared_emails
        on
            shared_emails.vendor = records.vendor
            and shared_emails.object_type = records.object_type
            and shared_emails.email = records.email
    where not records.is_converted
),

final as (
    select vendor, object_type, record_id, field_name, raw_value, reason from unreadable
    union all
    select *, 'unknown_value' from unknown_values
    union all
    select *, 'unknown_person' from unknown_people
    union all
    select * from implausible_times
    union all
    select *, 'duplicate_email' from duplicates
)

select * from final
