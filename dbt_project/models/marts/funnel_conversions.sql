-- The funnel by month and source: of the people who became an MQL in a month (first reached,
-- whatever the path), how many went on to SQL, opportunity and customer, and the median days
-- between stages. Source is Salesforce LeadSource, else HubSpot's original source.
with

people as (
    select * from {{ ref('people') }}
),

cohorts as (
    select
        cast(date_trunc('month', mql_at) as date) as cohort_month,
        coalesce(lead_source, analytics_source, 'Unknown') as source,
        mql_at,
        sql_at,
        opportunity_at,
        customer_at,
        is_mql_inferred
    from people
    where mql_at is not null
),

final as (
    select
        cohort_month,
        source,
        count(*) as mqls,
        count(*) filter (where is_mql_inferred) as inferred_mqls,
        count(sql_at) as sqls,
        count(opportunity_at) as opportunities,
        count(customer_at) as customers,
        {{ divide('count(sql_at)', 'count(*)') }} as mql_to_sql_rate,
        {{ divide('count(opportunity_at)', 'nullif(count(sql_at), 0)') }} as sql_to_opportunity_rate,
        {{ divide('count(customer_at)', 'nullif(count(opportunity_at), 0)') }} as opportunity_to_customer_rate,
        {{ median(seconds_between('mql_at', 'sql_at') ~ ' / 86400.0') }} as median_days_mql_to_sql,
        {{ median(seconds_between('sql_at', 'opportunity_at') ~ ' / 86400.0') }} as median_days_sql_to_opportunity,
        {{ median(seconds_between('opportunity_at', 'customer_at') ~ ' / 86400.0') }} as median_days_opportunity_to_customer
    from cohorts
    group by cohort_month, source
)

select * from final
