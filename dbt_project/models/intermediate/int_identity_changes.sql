-- The CRM records whose person the nightly matches again (int_people_records keeps the others):
-- those landed since the incremental models' last build (new, changed or deleted), and every
-- record whose match can follow from theirs, under their emails before and after:
--   1. Salesforce: the landed leads and contacts, and the leads converted to a landed contact;
--   2. HubSpot: the landed contacts, those sharing an email with a record of 1, those linked
--      (salesforcecontactid, salesforceleadid) to a record of 1, and those sharing an email with
--      any of these (a HubSpot duplicate follows its linked twin).
-- is_affected: the record is matched again (and replaced, or removed if gone). The other rows
-- are what that matching reads: the Salesforce records with a HubSpot one's email or linked
-- from it, and the contacts they were converted to. Empty when the build is a full one
-- (int_build_window.is_full) or int_people_records does not exist yet: it matches everyone.
{%- set previous = adapter.get_relation(this.database, this.schema, 'int_people_records') %}
{%- set since = '(select previous_loaded_watermark from ' ~ ref('int_build_window') ~ ')' %}
with

build_window as (
    select * from {{ ref('int_build_window') }}
),

current_records as (
    select
        vendor,
        object_type,
        record_id,
        email,
        converted_contact_id,
        linked_salesforce_lead_id,
        linked_salesforce_contact_id
    from {{ ref('int_crm_records') }}
),

previous_records as (
    {% if previous is not none -%}
    select vendor, object_type, record_id, email
    from {{ previous }}
    {%- else -%}
    select
        cast(null as varchar) as vendor,
        cast(null as varchar) as object_type,
        cast(null as varchar) as record_id,
        cast(null as varchar) as email
    where false
    {%- endif %}
),

-- Raw rows landed since the last build: new, changed or deleted records.
landed as (
    {%- for vendor, object_type, table in [
        ('salesforce', 'Lead', source('salesforce', 'lead')),
        ('salesforce', 'Contact', source('salesforce', 'contact')),
        ('hubspot', 'contacts', source('hubspot', 'contacts')),
    ] %}
    select '{{ vendor }}' as vendor, '{{ object_type }}' as object_type, id as record_id
    from {{ table }}
    where _loaded_at > {{ since }} or _loaded_at is null
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

-- Is the match incremental at all? Not on a full build, nor before the first.
incremental as (
    select not is_full and {{ 'true' if previous is not none else 'false' }} as is_incremental
    from build_window
),

-- Each landed record as it is now and as it was matched at the last build. (Found by id
-- first: a hash on one key, not three, over every record.)
landed_versions as (
    select vendor, object_type, record_id, email
    from current_records
    where record_id in (select record_id from landed)
    union all
    select vendor, object_type, record_id, email
    from previous_records
    where record_id in (select record_id from landed)
),

-- 1. Salesforce records matched again: the landed ones, and leads converted to a landed contact.
salesforce_affected as (
    select object_type, record_id
    from landed
    where vendor = 'salesforce'
    union
    select current_records.object_type, current_records.record_id
    from current_records
    where
        current_records.vendor = 'salesforce'
        and current_records.converted_contact_id in (
            select record_id from landed where vendor = 'salesforce' and object_type = 'Contact'
        )
),

affected_emails as (
    select email from landed_versions where email is not null
    union
    select email
    from current_records
    where
        vendor = 'salesforce'
        and email is not null
        and record_id in (select record_id from salesforce_affected)
),

-- 2. HubSpot contacts matched again.
hubspot_linked_affected as (
    select record_id, email
    from current_records
    where
        vendor = 'hubspot'
        and (
            record_id in (select record_id from landed where vendor = 'hubspot')
            or email in (select email from affected_emails)
            or left(linked_salesforce_contact_id, 15) in (
                select left(record_id, 15) from salesforce_affected where object_type = 'Contact'
            )
            or left(linked_salesforce_lead_id, 15) in (
                select left(record_id, 15) from salesforce_affected where object_type = 'Lead'
            )
        )
),

hubspot_affected as (
    select record_id from hubspot_linked_affected
    union
    select record_id
    from current_records
    where
        vendor = 'hubspot'
        and email in (select email from hubspot_linked_affected where email is not null)
    union
    -- gone from HubSpot: removed, not matched
    select record_id from landed where vendor = 'hubspot'
),

affected as (
    select 'salesforce' as vendor, object_type, record_id from salesforce_affected
    union all
    select 'hubspot', 'contacts', record_id from hubspot_affected
),

-- What matching them reads: the Salesforce records with their emails or linked from them,
-- and the contacts those were converted to.
hubspot_now as (
    select current_records.*
    from current_records
    where vendor = 'hubspot' and record_id in (select record_id from hubspot_affected)
),

salesforce_read as (
    select object_type, record_id, converted_contact_id
    from current_records
    where
        vendor = 'salesforce'
        and (
            email in (select email from hubspot_now where email is not null)
            or (
                object_type = 'Contact'
                and left(record_id, 15) in (select left(linked_salesforce_contact_id, 15) from hubspot_now)
            )
            or (
                object_type = 'Lead'
                and left(record_id, 15) in (select left(linked_salesforce_lead_id, 15) from hubspot_now)
            )
            or (object_type, record_id) in (select object_type, record_id from salesforce_affected)
        )
),

read_only as (
    select 'salesforce' as vendor, object_type, record_id from salesforce_read
    union
    select 'salesforce', 'Contact', converted_contact_id from salesforce_read where converted_contact_id is not null
),

final as (
    select vendor, object_type, record_id, true as is_affected
    from affected
    union all
    select vendor, object_type, record_id, false
    from read_only
    where (vendor, object_type, record_id) not in (select vendor, object_type, record_id from affected)
)

select final.*
from final
where (select is_incremental from incremental)
