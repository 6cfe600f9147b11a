-- New customers by the month they became customers, and the share that began as a marketing
-- lead: reached MQL on their own evidence (not inferred from a later stage) before they
-- became customers.
with

people as (
    select * from {{ ref('people') }}
),

final as (
    select
        cast(date_trunc('month', customer_at) as date) as customer_month,
        count(*) as new_customers,
        count(*) filter (where not is_mql_inferred and mql_at < customer_at) as from_marketing_leads,
        {{ divide('count(*) filter (where not is_mql_inferred and mql_at < customer_at)', 'count(*)') }} as marketing_lead_share
    from people
    where customer_at is not null
    {{ group_by_all(1) }}
)

select * from final
