-- Every owner leadflow gave a person, with the reason code and the rule that made it, appended
-- each run (a person appears again only when their owner changes: a re-route, a rep's own
-- change, an owner who left). Kept across runs and never rebuilt, not even by --full-refresh:
-- the rotations' counts and the SLA clocks are read back from it (int_routing_current_owners,
-- int_routing_rotation_state), so a team change resets nothing.
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns') }}
with

assignments as (
    select * from {{ ref('int_owner_assignment') }}
),

final as (
    select
        person_id,
        owner_email,
        owner_salesforce_user_id,
        owner_hubspot_owner_id,
        owner_reason,
        owner_rule,
        owner_team,
        rotation_pool,
        rotation_pass,
        rotation_level,
        previous_owner_email,
        breached_owner_email,
        breach_kind,
        sla_started_at,
        owner_assigned_at as assigned_at,
        {{ as_of_date() }} as run_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as built_at,
        '{{ invocation_id }}' as build_id
    from assignments
    where is_reassigned
)

select * from final
