-- What a lead from each source is worth: leads, MQLs, customers and won revenue of the people
-- of the source (int_person_revenue), and the revenue per lead.
with

people as (
    select * from {{ ref('people') }}
),

revenue as (
    select * from {{ ref('int_person_revenue') }}
),

final as (
    select
        coalesce(people.lead_source, people.analytics_source, 'Unknown') as source,
        count(people.lead_at) as leads,
        count(people.mql_at) as mqls,
        count(people.customer_at) as customers,
        coalesce(sum(revenue.revenue), 0) as won_revenue,
        coalesce(sum(revenue.revenue), 0) / nullif(count(people.lead_at), 0) as revenue_per_lead,
        coalesce(sum(revenue.revenue), 0) / nullif(count(people.customer_at), 0) as revenue_per_customer
    from people
    left join revenue
        on revenue.person_id = people.person_id
    {{ group_by_all(1) }}
)

select * from final
