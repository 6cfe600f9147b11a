-- Which person each CRM record belongs to. Matching, in order:
--   1. Salesforce records: by normalised email; a converted lead joins the contact it became;
--      records without email stand alone.
--   2. HubSpot contacts: by normalised email when a Salesforce record has it, else through the
--      Salesforce id HubSpot keeps (salesforcecontactid, then salesforceleadid), else by
--      email with other HubSpot contacts, else alone.
-- person_id is a hash of the winning key (person_id_of), so it stays the same from run to run.
-- The matching reads the few columns it needs (keys); the records' other columns join the
-- result once, at the end, rather than ride through every step.
--
-- Kept up to date, not rebuilt: the nightly matches again only the records int_identity_changes
-- lists as affected (those landed since the last build and those whose match can follow from
-- theirs), reading what that takes; their rows go first (pre-hook), gone records' too.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_identity_changes() }}",
    post_hook="{{ record_increment() }}",
) }}
{%- set changes = ref('int_identity_changes') %}
{%- set recompute_all = build_is_full() %}
with

records as (
    select
        vendor,
        object_type,
        record_id,
        email,
        converted_contact_id,
        linked_salesforce_lead_id,
        linked_salesforce_contact_id,
        survivorship_rank
    from {{ ref('int_crm_records') }}
    {%- if is_incremental() %}
    where
        {{ recompute_all }}
        or (vendor, object_type, record_id) in (select vendor, object_type, record_id from {{ changes }})
    {%- endif %}
),

salesforce as (
    select
        *,
        coalesce('email:' || email, 'salesforce:' || record_id) as own_key
    from records
    where vendor = 'salesforce'
),

salesforce_keyed as (
    select
        lead_or_contact.*,
        coalesce(converted_to.own_key, lead_or_contact.own_key) as match_key,
        case
            when converted_to.own_key is not null then 'converted_lead'
            when lead_or_contact.email is not null then 'email'
            else 'salesforce_id'
        end as match_rule
    from salesforce as lead_or_contact
    left join salesforce as converted_to
        on
            converted_to.object_type = 'Contact'
            and converted_to.record_id = lead_or_contact.converted_contact_id
),

-- One key per email: the contact's person first (a converted lead may carry an older address).
salesforce_emails as (
    select
        email,
        {{ arg_min('match_key', 'survivorship_rank') }} as match_key
    from salesforce_keyed
    where email is not null
    group by email
),

hubspot_linked as (
    select
        hubspot.*,
        coalesce(by_email.match_key, by_contact.match_key, by_lead.match_key) as salesforce_key,
        case
            when by_email.match_key is not null then 'email'
            when coalesce(by_contact.match_key, by_lead.match_key) is not null then 'salesforce_id'
        end as salesforce_rule
    from records as hubspot
    left join salesforce_emails as by_email
        on by_email.email = hubspot.email
    -- HubSpot may keep 15-character ids; the first 15 characters identify a record.
    left join salesforce_keyed as by_contact
        on
            by_contact.object_type = 'Contact'
            and left(by_contact.record_id, 15) = left(hubspot.linked_salesforce_contact_id, 15)
    left join salesforce_keyed as by_lead
        on
            by_lead.object_type = 'Lead'
            and left(by_lead.record_id, 15) = left(hubspot.linked_salesforce_lead_id, 15)
    where hubspot.vendor = 'hubspot'
),

-- A HubSpot duplicate without a link follows its twin (same email) that has one.
hubspot_emails as (
    select
        email,
        min(salesforce_key) as match_key
    from hubspot_linked
    where salesforce_key is not null and email is not null
    group by email
),

hubspot_keyed as (
    select
        {{ star_exclude('hubspot_linked', ['salesforce_key', 'salesforce_rule'], columns=[
            'vendor', 'object_type', 'record_id', 'email', 'converted_contact_id',
            'linked_salesforce_lead_id', 'linked_salesforce_contact_id', 'survivorship_rank',
        ]) }},
        coalesce(
            hubspot_linked.salesforce_key,
            hubspot_emails.match_key,
            'email:' || hubspot_linked.email,
            'hubspot:' || hubspot_linked.record_id
        ) as match_key,
        case
            when hubspot_linked.salesforce_rule is not null then hubspot_linked.salesforce_rule
            when hubspot_emails.match_key is not null then 'email'
            when hubspot_linked.email is not null then 'email'
            else 'hubspot_id'
        end as match_rule
    from hubspot_linked
    left join hubspot_emails
        on hubspot_emails.email = hubspot_linked.email
),

keyed as (
    select vendor, object_type, record_id, match_key, match_rule
    from salesforce_keyed
    union all
    select vendor, object_type, record_id, match_key, match_rule
    from hubspot_keyed
),

final as (
    select
        {{ person_id_of('keyed.match_key') }} as person_id,
        crm_records.*,
        keyed.match_key,
        keyed.match_rule
    from keyed
    inner join {{ ref('int_crm_records') }} as crm_records
        on
            crm_records.vendor = keyed.vendor
            and crm_records.object_type = keyed.object_type
            and crm_records.record_id = keyed.record_id
    {%- if is_incremental() %}
    where {{ rematched_records_condition(key=('keyed.vendor', 'keyed.object_type', 'keyed.record_id')) }}
    {%- endif %}
)

select * from final
