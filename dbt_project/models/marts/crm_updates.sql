-- The write-back queue: one row per CRM record and field whose value must change, values as
-- text in the form the API takes (integers without decimals, dates YYYY-MM-DD, HubSpot's
-- internal lifecycle values). Values are compared typed: Salesforce's 42.0 is no change from 42,
-- a field the record lacks is null. HubSpot's lifecycle stage never moves back (the furthest of
-- ours and HubSpot's; evangelist and other are left alone), except for a person recycled or
-- disqualified (the explicit path back): that row has clear_first, and write-back clears the
-- stage before setting it, as HubSpot requires. Owners are written for people at MQL and beyond.
with

records as (
    select * from {{ ref('int_people_records') }}
),

people as (
    select * from {{ ref('people') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

hubspot_lifecycle_stages as (
    select * from {{ ref('hubspot_lifecycle_stages') }}
),

targets as (
    select
        records.vendor,
        records.object_type,
        records.record_id,
        records.person_id,
        records.owner_id as current_owner_id,
        records.crm_score,
        records.crm_fit_score,
        records.crm_engagement_score,
        records.crm_tier,
        records.crm_lifecycle_stage,
        records.crm_mql_date,
        records.crm_sql_date,
        people.score,
        people.fit_score,
        people.engagement_score,
        people.tier,
        cast(people.mql_at as date) as mql_date,
        cast(people.sql_at as date) as sql_date,
        lifecycle_stages.stage_order,
        lifecycle_stages.salesforce_label,
        lifecycle_stages.hubspot_value,
        lifecycle_stages.stage_order >= (select stage_order from lifecycle_stages where stage = 'mql')
            as is_mql_or_beyond,
        people.owner_salesforce_user_id,
        people.owner_hubspot_owner_id,
        people.recycled_at is not null as is_recycled,
        current_hubspot_stage.stage_order as current_hubspot_stage_order,
        current_hubspot_stage.is_managed as is_current_hubspot_stage_managed
    from records
    inner join people
        on people.person_id = records.person_id
    inner join lifecycle_stages
        on lifecycle_stages.stage = people.lifecycle_stage
    left join hubspot_lifecycle_stages as current_hubspot_stage
        on current_hubspot_stage.hubspot_value = records.crm_lifecycle_stage
    where records.is_writable
),

{% set score_fields = [
    ('Lead_Score__c', 'leadflow_score', 'crm_score', 'score'),
    ('Fit_Score__c', 'leadflow_fit_score', 'crm_fit_score', 'fit_score'),
    ('Engagement_Score__c', 'leadflow_engagement_score', 'crm_engagement_score', 'engagement_score'),
] %}
{% set date_fields = [
    ('MQL_Date__c', 'leadflow_mql_date', 'crm_mql_date', 'mql_date'),
    ('SQL_Date__c', 'leadflow_sql_date', 'crm_sql_date', 'sql_date'),
] %}

fields as (
    {% for salesforce_name, hubspot_name, current, new in score_fields %}
    select
        vendor, object_type, record_id, person_id,
        case vendor when 'salesforce' then '{{ salesforce_name }}' else '{{ hubspot_name }}' end as field_name,
        {{ api_number(current) }} as current_value,
        cast({{ new }} as varchar) as new_value,
        {{ current }} is distinct from cast({{ new }} as double) as is_changed
    from targets
    union all
    {% endfor %}
    {% for salesforce_name, hubspot_name, current, new in date_fields %}
    select
        vendor, object_type, record_id, person_id,
        case vendor when 'salesforce' then '{{ salesforce_name }}' else '{{ hubspot_name }}' end,
        {{ format_time(current, '%Y-%m-%d') }},
        {{ format_time(new, '%Y-%m-%d') }},
        {{ current }} is distinct from {{ new }}
    from targets
    union all
    {% endfor %}
    select
        vendor, object_type, record_id, person_id,
        case vendor when 'salesforce' then 'Lead_Tier__c' else 'leadflow_tier' end,
        crm_tier,
        tier,
        crm_tier is distinct from tier
    from targets
    union all
    select
        vendor, object_type, record_id, person_id,
        'Lifecycle_Stage__c',
        crm_lifecycle_stage,
        salesforce_label,
        crm_lifecycle_stage is distinct from salesforce_label
    from targets
    where vendor = 'salesforce'
    union all
    -- Forward only: a stage HubSpot holds further along (or one we do not manage) is kept,
    -- unless the person was recycled since.
    select
        vendor, object_type, record_id, person_id,
        'lifecyclestage',
        crm_lifecycle_stage,
        hubspot_value,
        crm_lifecycle_stage is null
        or (is_current_hubspot_stage_managed and current_hubspot_stage_order < stage_order)
        or (is_current_hubspot_stage_managed and is_recycled and current_hubspot_stage_order > stage_order)
    from targets
    where vendor = 'hubspot'
    union all
    select
        vendor, object_type, record_id, person_id,
        case vendor when 'salesforce' then 'OwnerId' else 'hubspot_owner_id' end,
        current_owner_id,
        case vendor when 'salesforce' then owner_salesforce_user_id else owner_hubspot_owner_id end,
        case vendor
            when 'salesforce' then left(current_owner_id, 15) is distinct from left(owner_salesforce_user_id, 15)
            else current_owner_id is distinct from owner_hubspot_owner_id
        end
    from targets
    where
        is_mql_or_beyond
        and (case vendor when 'salesforce' then owner_salesforce_user_id else owner_hubspot_owner_id end) is not null
),

final as (
    select
        fields.vendor,
        fields.object_type,
        fields.record_id,
        fields.person_id,
        fields.field_name,
        fields.current_value,
        fields.new_value,
        coalesce(
            fields.vendor = 'hubspot'
            and fields.field_name = 'lifecyclestage'
            and current_stage.stage_order > new_stage.stage_order,
            false
        ) as clear_first
    from fields
    left join hubspot_lifecycle_stages as current_stage
        on fields.field_name = 'lifecyclestage' and current_stage.hubspot_value = fields.current_value
    left join hubspot_lifecycle_stages as new_stage
        on fields.field_name = 'lifecyclestage' and new_stage.hubspot_value = fields.new_value
    where fields.is_changed
)

select * from final
