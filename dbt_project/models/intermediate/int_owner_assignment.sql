-- Who owns each person from MQL on (below MQL leadflow leaves owners alone: owner_reason
-- below_mql). An owner must be an assignable user: an active Salesforce user of the
-- sales department (var sales_department); anyone else (the integration user, an inactive rep,
-- no owner) means unassigned. In order:
--   current_owner   an assignable owner already on one of the person's records (Salesforce
--                   contact, lead, then HubSpot contact; HubSpot owners mapped to users by email);
--   account_owner   the account's owner, if assignable;
--   round_robin     assignable users in turn, by user id, over the people who reached MQL, in
--                   order of their MQL date;
--   unassigned      nobody can be assigned (no active sales user).
-- A new owner must be one every record of the person can take: for people in HubSpot, users
-- with a HubSpot owner. Once written back the owner is current, so later runs keep it.
with

people as (
    select * from {{ ref('int_people_unified') }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}
),

records as (
    select * from {{ ref('int_people_records') }}
),

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

mql_order as (
    select stage_order from lifecycle_stages where stage = 'mql'
),

assignable_users as (
    select
        users.user_id,
        users.email,
        -- The user's HubSpot owner: same email, not deactivated.
        min(owners.hubspot_owner_id) as hubspot_owner_id
    from users
    left join owners
        on
            owners.email = users.email
            and not owners.is_archived
    where
        users.is_active
        and users.department = '{{ var("sales_department", "Sales") }}'
    group by users.user_id, users.email
),

record_owners as (
    select
        records.person_id,
        records.survivorship_rank,
        records.created_at,
        records.record_id,
        case when records.vendor = 'salesforce' then records.owner_id else hubspot_users.user_id end as user_id
    from records
    left join owners
        on
            records.vendor = 'hubspot'
            and owners.hubspot_owner_id = records.owner_id
    left join users as hubspot_users
        on hubspot_users.email = owners.email
    where records.is_writable
),

current_owners as (
    select
        record_owners.person_id,
        first(record_owners.user_id order by record_owners.survivorship_rank, record_owners.created_at, record_owners.record_id)
            as user_id
    from record_owners
    inner join assignable_users
        on assignable_users.user_id = record_owners.user_id
    group by record_owners.person_id
),

candidates as (
    select
        people.person_id,
        people.is_in_hubspot as needs_hubspot_owner,
        lifecycle.mql_at,
        lifecycle.lifecycle_stage_order >= (select stage_order from mql_order) as is_mql_or_beyond,
        current_owners.user_id as current_user_id,
        account_owners.user_id as account_user_id
    from people
    inner join lifecycle
        on lifecycle.person_id = people.person_id
    left join current_owners
        on current_owners.person_id = people.person_id
    -- A new owner must be writable to every record: HubSpot contacts need a HubSpot owner.
    left join assignable_users as account_owners
        on
            account_owners.user_id = people.account_owner_id
            and (not people.is_in_hubspot or account_owners.hubspot_owner_id is not null)
),

round_robin_queue as (
    select
        person_id,
        needs_hubspot_owner,
        row_number() over (partition by needs_hubspot_owner order by mql_at, person_id) - 1 as position
    from candidates
    where is_mql_or_beyond and current_user_id is null and account_user_id is null
),

round_robin_pools as (
    select
        pool.needs_hubspot_owner,
        assignable_users.user_id,
        row_number() over (partition by pool.needs_hubspot_owner order by assignable_users.user_id) - 1 as slot,
        count(*) over (partition by pool.needs_hubspot_owner) as slots
    from assignable_users
    cross join (select unnest([false, true]) as needs_hubspot_owner) as pool
    where not pool.needs_hubspot_owner or assignable_users.hubspot_owner_id is not null
),

round_robin as (
    select
        round_robin_queue.person_id,
        round_robin_pools.user_id
    from round_robin_queue
    inner join round_robin_pools
        on
            round_robin_pools.needs_hubspot_owner = round_robin_queue.needs_hubspot_owner
            and round_robin_pools.slot = round_robin_queue.position % round_robin_pools.slots
),

chosen as (
    select
        candidates.person_id,
        candidates.is_mql_or_beyond,
        case
            when candidates.is_mql_or_beyond
                then coalesce(candidates.current_user_id, candidates.account_user_id, round_robin.user_id)
        end as owner_user_id,
        case
            when not candidates.is_mql_or_beyond then 'below_mql'
            when candidates.current_user_id is not null then 'current_owner'
            when candidates.account_user_id is not null then 'account_owner'
            when round_robin.user_id is not null then 'round_robin'
            else 'unassigned'
        end as owner_reason
    from candidates
    left join round_robin
        on round_robin.person_id = candidates.person_id
),

final as (
    select
        chosen.person_id,
        chosen.owner_user_id as owner_salesforce_user_id,
        assignable_users.hubspot_owner_id as owner_hubspot_owner_id,
        chosen.owner_reason
    from chosen
    left join assignable_users
        on assignable_users.user_id = chosen.owner_user_id
)

select * from final
