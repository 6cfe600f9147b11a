-- The MQL service level per owner (int_mql_sla): of the MQLs a rep owns, the share accepted
-- within sla_accept_hours and the share also worked within sla_work_hours after that
-- (scoring_settings), with the median hours.
with

sla as (
    select * from {{ ref('int_mql_sla') }}
),

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

final as (
    select
        sla.owner_salesforce_user_id,
        max(users.full_name) as owner_name,
        count(*) as mqls,
        count(sla.accepted_at) as accepted,
        count(*) filter (where sla.is_accepted_in_time) / count(*) as accepted_in_time_rate,
        count(*) filter (where sla.is_worked_in_time) / count(*) as worked_in_time_rate,
        median(sla.hours_to_accept) as median_hours_to_accept,
        median(sla.hours_to_work) as median_hours_to_work
    from sla
    left join users
        on users.user_id = sla.owner_salesforce_user_id
    where sla.owner_salesforce_user_id is not null
    group by sla.owner_salesforce_user_id
)

select * from final
