{# The people who may own an MQL, as a full query: Salesforce users and HubSpot owners matched
   by email, with what the routing file says of them. int_routing_owners builds it;
   routing_what_if renders it again from another routing file. #}

{% macro routing_roster() %}
{%- set config = routing_config() -%}
{%- set listed = [] -%}
{%- for team in config.teams if team.members != 'all' -%}{%- do listed.extend(team.members) -%}{%- endfor -%}
{%- do listed.extend(config.owners | map(attribute='email')) -%}
with

users as (
    select * from {{ ref('stg_salesforce__users') }}
),

hubspot_owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

country_regions as (
    select * from {{ ref('country_regions') }}
),

time_zones as (
    select name as time_zone from {{ time_zone_names() }}
),

settings as (
    select
        cast(email as varchar) as email,
        cast(capacity as integer) as capacity,
        cast(weight as double) as weight,
        cast(time_zone as varchar) as time_zone,
        cast(holiday_calendar as varchar) as holiday_calendar,
        cast(working_days as varchar []) as working_days,
        cast(working_start as varchar) as working_start,
        cast(working_end as varchar) as working_end,
        cast(is_away_always as boolean) as is_away_always,
        {{ records_cast('away_periods', 'struct(from_date date, until_date date)') }} as away_periods,
        cast(entry as integer) as entry
    from (values
        {%- for owner in config.owners %}
        ({{ routing_literal(owner.email) }}, {{ owner.capacity if owner.capacity is not none else 'null' }},
            {{ owner.weight if owner.weight is not none else 'null' }}, {{ routing_literal(owner.time_zone) }},
            {{ routing_literal(owner.holidays) }}, {{ routing_text_list(owner.hours.days) }},
            {{ routing_literal(owner.hours.start) }}, {{ routing_literal(owner.hours.end) }}, {{ owner.away_always }},
            {%- set periods = [] -%}
            {%- for period in owner.away -%}
                {%- do periods.append(struct_literal({'from_date': "date '" ~ period.from ~ "'", 'until_date': "date '" ~ period.until ~ "'"})) -%}
            {%- endfor %}
            {{ records_list(periods) }}, {{ loop.index0 }}),
        {%- endfor %}
        (null, null, null, null, null, {{ no_items('varchar') }}, null, null, false, {{ records_list([]) }}, null)
    ) as entries (
        email, capacity, weight, time_zone, holiday_calendar, working_days, working_start, working_end,
        is_away_always, away_periods, entry
    )
    where email is not null
),

-- Owners the routing file names (teams' member lists, owners' settings).
listed as (
    select distinct unnest({{ routing_text_list(listed) }}) as email
),

-- One Salesforce user per email, the active one first; one HubSpot owner, the live one first.
salesforce as (
    select {{ distinct_on('email') }} * from users
    where email is not null
    {{ first_per('email', 'is_active desc, user_id') }}
),

hubspot as (
    select {{ distinct_on('email') }} * from hubspot_owners
    where email is not null
    {{ first_per('email', 'is_archived, hubspot_owner_id') }}
),

known as (
    select
        coalesce(salesforce.email, hubspot.email) as owner_email,
        coalesce(salesforce.full_name, trim(concat_ws(' ', hubspot.first_name, hubspot.last_name))) as owner_name,
        salesforce.user_id as owner_salesforce_user_id,
        hubspot.hubspot_owner_id as owner_hubspot_owner_id,
        salesforce.department,
        salesforce.country,
        salesforce.time_zone as user_time_zone,
        coalesce(salesforce.is_active, false) as is_salesforce_active,
        coalesce(not hubspot.is_archived, false) as is_hubspot_active,
        true as is_in_crm
    from salesforce
    full outer join hubspot
        on hubspot.email = salesforce.email
),

-- A named owner no CRM knows (a typo, or someone not yet set up) is kept and flagged.
owners as (
    select * from known
    {{ union_by_name() }}
    select
        {{- select_by_name(
            ['owner_email', 'owner_name', 'owner_salesforce_user_id', 'owner_hubspot_owner_id', 'department',
             'country', 'user_time_zone', 'is_salesforce_active', 'is_hubspot_active', 'is_in_crm'],
            {'owner_email': 'listed.email', 'is_salesforce_active': 'false', 'is_hubspot_active': 'false',
             'is_in_crm': 'false'}
        ) }}
    from listed
    {{ anti_join('known', 'known.owner_email = listed.email') }}
),

assignable as (
    select
        owners.*,
        country_regions.region,
        listed.email is not null as is_listed,
        coalesce(
            (owners.is_salesforce_active and owners.department = '{{ var("sales_department", "Sales") }}')
            -- HubSpot owners without a Salesforce user take part when the file names them.
            or (owners.owner_salesforce_user_id is null and owners.is_hubspot_active and listed.email is not null),
            false
        ) as is_assignable,
        settings.capacity,
        coalesce(settings.weight, settings.capacity, 1) as weight,
        case
            when settings.time_zone is null then null
            when own_zone.time_zone is not null then settings.time_zone
            else {{ raise_error("
                'routing file " ~ config.source ~ ": owners[' || settings.entry || '] (' || settings.email
                || '): time_zone ' || settings.time_zone || ' is not an IANA time zone name'
            ") }}
        end as own_time_zone,
        {%- if config.hours.time_zone %}
        case
            when (select count(*) from time_zones where time_zone = {{ routing_literal(config.hours.time_zone) }}) > 0
                then {{ routing_literal(config.hours.time_zone) }}
            else {{ raise_error("'routing file " ~ config.source ~ ": business_hours: time_zone " ~ config.hours.time_zone ~ " is not an IANA time zone name'") }}
        end as file_time_zone,
        {%- else %}
        cast(null as varchar) as file_time_zone,
        {%- endif %}
        user_zone.time_zone as user_time_zone_known,
        coalesce(settings.holiday_calendar, owners.country) as holiday_calendar,
        coalesce(settings.working_days, {{ routing_text_list(config.hours.days) }}) as working_days,
        coalesce(settings.working_start, {{ routing_literal(config.hours.start) }}) as working_start,
        coalesce(settings.working_end, {{ routing_literal(config.hours.end) }}) as working_end,
        coalesce(settings.is_away_always, false) as is_away_always,
        coalesce(settings.away_periods, {{ records_list([]) }}) as away_periods
    from owners
    left join country_regions
        on lower(country_regions.country) = lower(trim(owners.country))
    left join listed
        on listed.email = owners.owner_email
    left join settings
        on settings.email = owners.owner_email
    left join time_zones as own_zone
        on own_zone.time_zone = settings.time_zone
    left join time_zones as user_zone
        on user_zone.time_zone = owners.user_time_zone
),

zoned as (
    select
        {{ star_exclude(none, ['own_time_zone', 'file_time_zone', 'user_time_zone', 'user_time_zone_known'], none) }},
        coalesce(own_time_zone, file_time_zone, user_time_zone_known, 'UTC') as time_zone
    from assignable
),

final as (
    select
        owner_email,
        owner_name,
        owner_salesforce_user_id,
        owner_hubspot_owner_id,
        department,
        country,
        region,
        is_in_crm,
        is_salesforce_active,
        is_hubspot_active,
        is_listed,
        is_assignable,
        -- Away today (owner's date): skipped by rotations and the account rule; their SLA clock stops.
        is_away_always or {{ any_record(
            'away_periods', 'period',
            routing_today('time_zone') ~ ' between ' ~ record_item('period', 'from_date', 'date') ~ ' and ' ~ record_item('period', 'until_date', 'date')
        ) }} as is_away,
        capacity,
        weight,
        {% call non_null_list('team') -%}
            {%- for team in config.teams %}
            case when
                {%- if team.members == 'all' %} is_assignable{% else %} owner_email in ({% for email in team.members %}{{ routing_literal(email) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
                {%- if team.regions %} and region in ({% for name in team.regions %}{{ routing_literal(name) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
                then {{ routing_literal(team.name) }} end,
            {%- endfor %}
            cast(null as varchar)
        {%- endcall %} as teams,
        time_zone,
        holiday_calendar,
        working_days,
        working_start,
        working_end,
        is_away_always,
        away_periods
    from zoned
    where owner_email is not null
)

select * from final
{% endmacro %}
