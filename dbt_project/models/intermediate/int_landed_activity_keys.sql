-- The raw activity rows (changed, new or deleted) landed since the incremental models' last
-- build (int_build_window), named as int_activities names its sources and records. A table,
-- not a CTE of int_touched_people: there DuckDB took the raw tables' rows for more than the
-- activities and built its semi join's hash table on the 17.7M activities instead of these few
-- rows.
{%- set since = '(select previous_loaded_watermark from ' ~ ref('int_build_window') ~ ')' %}
{%- set raw_sources = [
    ('hubspot', 'email_events', 'hubspot_email_event', ''),
    ('hubspot', 'web_events', 'hubspot_web_event', ''),
    ('hubspot', 'form_submissions', 'hubspot_form', ''),
    ('hubspot', 'calls', 'hubspot_engagement', 'call:'),
    ('hubspot', 'emails', 'hubspot_engagement', 'email:'),
    ('hubspot', 'meetings', 'hubspot_engagement', 'meeting:'),
    ('hubspot', 'notes', 'hubspot_engagement', 'note:'),
    ('hubspot', 'conversation_threads', 'hubspot_chat', 'thread:'),
    ('hubspot', 'conversation_messages', 'hubspot_chat', 'message:'),
    ('salesforce', 'task', 'salesforce_task', ''),
    ('salesforce', 'event', 'salesforce_event', ''),
    ('salesforce', 'campaign_member', 'salesforce_campaign_member', ''),
] %}
with

final as (
    {%- for vendor, table, activity_source, prefix in raw_sources %}
    select '{{ activity_source }}' as source, '{{ prefix }}' || id as source_record_id
    from {{ source(vendor, table) }}
    where _loaded_at > {{ since }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
