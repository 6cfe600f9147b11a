-- Each owner's working time, one row per owner and local date: the working days and hours of
-- the routing file in the owner's time zone, less holidays (business_holidays: the company
-- calendar and the owner's) and away days. seconds_before, the working seconds of all days
-- before, turns "business hours between two moments" into a subtraction and "when are 24
-- business hours up" into an as-of join, with no row-by-row walk. Spans the first MQL to two
-- months past the run.
with

owners as (
    select * from {{ ref('int_routing_owners') }}
),

lifecycle as (
    select * from {{ ref('int_people_lifecycle') }}
),

holidays as (
    select * from {{ ref('business_holidays') }}
),

span as (
    select
        cast(coalesce(min(mql_at), {{ routing_now() }}) as date) - 2 as first_day,
        cast({{ routing_now() }} as date) + 62 as last_day
    from lifecycle
),

days as (
    select
        owners.owner_email,
        owners.time_zone,
        owners.holiday_calendar,
        owners.working_days,
        owners.working_start,
        owners.working_end,
        owners.is_away_always,
        owners.away_periods,
        {{ unnest_dates('span.first_day', 'span.last_day') }}
            as local_date
    from owners
    cross join span
),

flagged as (
    select
        days.*,
        {{ list_contains(
            'days.working_days', '(' ~ routing_text_list(routing_days()) ~ ')[' ~ day_of_week('days.local_date') ~ ' + 1]'
        ) }} as is_weekday_worked,
        company.holiday_date is not null or own.holiday_date is not null as is_holiday,
        (days.is_away_always and days.local_date >= {{ routing_today('days.time_zone') }})
        or {{ any_record(
            'days.away_periods', 'period',
            'days.local_date between ' ~ record_item('period', 'from_date', 'date') ~ ' and ' ~ record_item('period', 'until_date', 'date')
        ) }}
            as is_away
    from days
    left join holidays as company
        on company.calendar = 'company' and company.holiday_date = days.local_date
    left join holidays as own
        on own.calendar = days.holiday_calendar and own.holiday_date = days.local_date
),

timed as (
    select
        *,
        is_weekday_worked and not is_holiday and not is_away as is_working_day,
        cast(split_part(working_start, ':', 1) as integer) * 3600 + cast(split_part(working_start, ':', 2) as integer) * 60
            as start_second,
        cast(split_part(working_end, ':', 1) as integer) * 3600 + cast(split_part(working_end, ':', 2) as integer) * 60
            as end_second
    from flagged
),

final as (
    select
        owner_email,
        local_date,
        time_zone,
        is_working_day,
        is_holiday,
        is_away,
        cast(local_date as timestamp) + {{ seconds_of('start_second') }} as working_from,
        case when is_working_day then end_second - start_second else 0 end as working_seconds,
        coalesce(sum(case when is_working_day then end_second - start_second else 0 end) over (
            partition by owner_email order by local_date rows between unbounded preceding and 1 preceding
        ), 0) as seconds_before
    from timed
)

select * from final
