-- Every lead status a person's CRM records had, with when: Salesforce Lead Status from
-- LeadHistory (the status a lead was created with dated by its creation; a lead without
-- history by its creation) and HubSpot hs_lead_status from its property history.
--
-- Kept up to date, not rebuilt: the nightly recomputes the people touched since the last build,
-- for their lifecycle too (a record came, went or moved, a lead status or its history landed).
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people(lifecycle=true) }}",
    post_hook="{{ record_increment() }}",
) }}
with

records as (
    select * from {{ ref('int_people_records') }}
    {% if is_incremental() -%}
    where {{ touched_people_condition(lifecycle=true) }}
    {%- endif %}
),

lead_history as (
    select * from {{ ref('stg_salesforce__lead_history') }}
),

status_history as (
    select * from lead_history
    where field_name = 'Status'
),

leads as (
    select * from records
    where object_type = 'Lead'
),

salesforce_changes as (
    select
        leads.person_id,
        leads.vendor,
        leads.record_id,
        status_history.new_value as lead_status,
        status_history.old_value as previous_status,
        status_history.created_at as changed_at,
        false as is_initial
    from leads
    inner join status_history
        on status_history.lead_id = leads.record_id
),

salesforce_initial as (
    select
        leads.person_id,
        leads.vendor,
        leads.record_id,
        coalesce({{ arg_min('status_history.old_value', 'status_history.created_at') }}, max(leads.lead_status)) as lead_status,
        cast(null as varchar) as previous_status,
        max(leads.created_at) as changed_at,
        true as is_initial
    from leads
    left join status_history
        on status_history.lead_id = leads.record_id
    group by leads.person_id, leads.vendor, leads.record_id
),

hubspot_changes as (
    select
        person_id,
        vendor,
        record_id,
        {{ record_item('change', 'lead_status', 'varchar') }},
        lag({{ record_item('change', 'lead_status', 'varchar') }}) over (partition by record_id order by {{ record_item('change', 'changed_at', 'timestamp') }}) as previous_status,
        {{ record_item('change', 'changed_at', 'timestamp') }},
        row_number() over (partition by record_id order by {{ record_item('change', 'changed_at', 'timestamp') }}) = 1 as is_initial
    from (
        select person_id, vendor, record_id, {{ unnest_records('lead_status_history') }} as change
        from records
        where vendor = 'hubspot' and {{ records_length('lead_status_history') }} > 0
    ) as changes
),

unioned as (
    select * from salesforce_changes
    union all
    select * from salesforce_initial
    union all
    select * from hubspot_changes
),

final as (
    select * from unioned
    where lead_status is not null and changed_at is not null
)

select * from final
