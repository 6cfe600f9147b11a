-- Who holds each person before this run decides, and how they came to:
--   manual    a rep changed the owner in the CRM: a record's owner is not what leadflow last
--             wrote there (ops.written_values), or no longer the one a rep chose before;
--   leadflow  leadflow's last assignment (owner_assignments as the previous run left it);
--   crm       an active sales rep already owning one of the person's records.
-- owner_assignments is read by name (routing_previous_assignments): this run appends to it
-- only after deciding, so the read sees the previous run.
{#- Survivorship's order among a person's records (as int_people_unified's). #}
{%- set survivor_order = order_key([
    'record_owners.survivorship_rank', 'record_owners.created_at', 'record_owners.record_id'
]) %}
with

records as (
    select * from {{ ref('int_people_records') }}
),

-- The people int_people_lifecycle has (known_by_run_date), read from int_people_unified rather
-- than from it: this model then runs beside the scores and stages, not after them.
people as (
    select person_id from {{ ref('int_people_unified') }}
    where {{ known_by_run_date() }}
),

roster as (
    select * from {{ ref('int_routing_owners') }}
),

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

hubspot_owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

previous_assignments as (
    {{ routing_previous_assignments() }}
),

written as (
    {{ routing_written_owners() }}
),

owned as (
    select
        *,
        case when vendor = 'salesforce' then owner_id end as salesforce_owner_id,
        case when vendor = 'hubspot' then owner_id end as hubspot_owner_id
    from records
    where is_writable and owner_id is not null
),

-- Each writable record's owner, as an email (how owners are known across both CRMs). Plain
-- equality joins: a condition on the record in the ON clause makes DuckDB loop over pairs.
record_owners as (
    select
        owned.person_id,
        owned.vendor,
        owned.object_type,
        owned.record_id,
        owned.survivorship_rank,
        owned.created_at,
        owned.owner_id,
        coalesce(users.email, hubspot_owners.email) as owner_email
    from owned
    left join users
        on users.user_id = owned.salesforce_owner_id
    left join hubspot_owners
        on hubspot_owners.hubspot_owner_id = owned.hubspot_owner_id
),

-- Each person's first record owner by survivorship, and first among the active sales reps
-- (crm), in one pass over the records.
first_owners as (
    select
        record_owners.person_id,
        {{ arg_min(
            'record_owners.owner_email', survivor_order,
            'record_owners.owner_email is not null'
        ) }} as owner_email,
        {{ arg_min(
            'record_owners.owner_email', survivor_order,
            'roster.is_assignable'
        ) }} as crm_owner_email
    from record_owners
    left join roster
        on roster.owner_email = record_owners.owner_email
    group by record_owners.person_id
),

-- Records whose owner differs from what leadflow wrote there: a rep changed it.
changed_by_hand as (
    select
        record_owners.person_id,
        {{ arg_min('record_owners.owner_email', survivor_order) }}
            as owner_email
    from record_owners
    inner join written
        on
            written.vendor = record_owners.vendor
            and written.object_type = record_owners.object_type
            and written.record_id = record_owners.record_id
    where
        record_owners.owner_email is not null
        and case record_owners.vendor
            when 'salesforce' then left(written.value, 15) is distinct from left(record_owners.owner_id, 15)
            else written.value is distinct from record_owners.owner_id
        end
    group by record_owners.person_id
),

last_assignments as (
    select {{ distinct_on('person_id') }} * from previous_assignments
    {{ first_per('person_id', 'built_at desc, assigned_at desc') }}
),

holders as (
    select
        people.person_id,
        coalesce(
            changed_by_hand.owner_email,
            -- A rep's earlier choice, since changed again in the CRM (back to leadflow's, even).
            case
                when last_assignments.owner_reason = 'manual_owner'
                    and first_owners.owner_email is distinct from last_assignments.owner_email
                    then first_owners.owner_email
            end
        ) as manual_owner_email,
        last_assignments.person_id is not null as has_assignment,
        last_assignments.owner_email as assigned_owner_email,
        last_assignments.owner_reason as assigned_reason,
        last_assignments.owner_rule as assigned_rule,
        last_assignments.owner_team as assigned_team,
        last_assignments.rotation_pool as assigned_pool,
        last_assignments.assigned_at,
        last_assignments.sla_started_at as assigned_sla_started_at,
        first_owners.crm_owner_email
    from people
    left join changed_by_hand
        on changed_by_hand.person_id = people.person_id
    left join first_owners
        on first_owners.person_id = people.person_id
    left join last_assignments
        on last_assignments.person_id = people.person_id
),

final as (
    select
        *,
        coalesce(manual_owner_email, assigned_owner_email, crm_owner_email) as held_owner_email,
        case
            when manual_owner_email is not null then 'manual'
            when assigned_owner_email is not null then 'leadflow'
            when crm_owner_email is not null then 'crm'
        end as held_by,
        -- When the holder's SLA clock started (the MQL moment caps it from below); an owner found
        -- on the records had it from the MQL on.
        case
            when manual_owner_email is not null
                then case
                    when assigned_reason = 'manual_owner' and assigned_owner_email = manual_owner_email
                        then assigned_sla_started_at
                    else {{ routing_now() }}
                end
            when assigned_owner_email is not null then assigned_sla_started_at
        end as held_since
    from holders
)

select * from final
