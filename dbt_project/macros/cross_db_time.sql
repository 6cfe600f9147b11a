{#- Times, dates and intervals (cross_db.sql says how each dispatches). -#}

{% macro epoch_ms_timestamp(expression) -%}
    {#- Epoch milliseconds (a bigint) as a naive UTC timestamp. -#}
    {{ return(adapter.dispatch('epoch_ms_timestamp', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_ms_timestamp(expression) -%}
    make_timestamp({{ expression }} * 1000)
{%- endmacro %}

{% macro postgres__epoch_ms_timestamp(expression) -%}
    (timestamp '1970-01-01' + {{ expression }} * interval '1 millisecond')
{%- endmacro %}

{% macro utc_today() -%}
    {#- Today's date in UTC (the run date when var as_of is not given). -#}
    {{ return(adapter.dispatch('utc_today', 'leadflow')()) }}
{%- endmacro %}

{% macro duckdb__utc_today() -%}
    cast(get_current_timestamp() at time zone 'UTC' as date)
{%- endmacro %}

{% macro postgres__utc_today() -%}
    cast(current_timestamp at time zone 'UTC' as date)
{%- endmacro %}

{% macro utc_of(expression) -%}
    {#- A timestamptz as naive UTC. -#}
    {{ return(adapter.dispatch('utc_of', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__utc_of(expression) -%}
    make_timestamp(epoch_us({{ expression }}))
{%- endmacro %}

{% macro postgres__utc_of(expression) -%}
    ({{ expression }} at time zone 'UTC')
{%- endmacro %}

{% macro epoch_us(expression) -%}
    {#- A timestamp as microseconds since 1970. -#}
    {{ return(adapter.dispatch('epoch_us', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_us(expression) -%}
    epoch_us({{ expression }})
{%- endmacro %}

{% macro postgres__epoch_us(expression) -%}
    cast(extract(epoch from {{ expression }}) * 1000000 as bigint)
{%- endmacro %}

{% macro interval_of(amount, unit) -%}
    {#- A constant interval: `amount` (a number) `unit`s. -#}
    {{ return(adapter.dispatch('interval_of', 'leadflow')(amount, unit)) }}
{%- endmacro %}

{% macro duckdb__interval_of(amount, unit) -%}
    interval {{ amount }} {{ unit }}
{%- endmacro %}

{% macro postgres__interval_of(amount, unit) -%}
    interval '{{ amount }} {{ unit }}'
{%- endmacro %}

{% macro epoch_seconds(expression) -%}
    {#- A timestamp as seconds since 1970 (with their fraction). -#}
    {{ return(adapter.dispatch('epoch_seconds', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(expression) -%}
    epoch({{ expression }})
{%- endmacro %}

{% macro postgres__epoch_seconds(expression) -%}
    cast(extract(epoch from {{ expression }}) as double precision)
{%- endmacro %}

{% macro seconds_between(start, end) -%}
    {#- DuckDB's date_diff('second', start, end): the second boundaries crossed from start to end. -#}
    {{ return(adapter.dispatch('seconds_between', 'leadflow')(start, end)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
    date_diff('second', {{ start }}, {{ end }})
{%- endmacro %}

{% macro postgres__seconds_between(start, end) -%}
    {#- A double, so that what it is divided by stays a double (as DuckDB's bigint / 86400.0). -#}
    cast(floor(extract(epoch from {{ end }})) - floor(extract(epoch from {{ start }})) as double precision)
{%- endmacro %}

{% macro microseconds(expression) -%}
    {#- An interval of `expression` (a bigint) microseconds. -#}
    {{ return(adapter.dispatch('microseconds', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__microseconds(expression) -%}
    to_microseconds({{ expression }})
{%- endmacro %}

{% macro postgres__microseconds(expression) -%}
    (({{ expression }}) * interval '1 microsecond')
{%- endmacro %}

{% macro days_of(expression, constant=false) -%}
    {#- An interval of `expression` (an integer) days. constant: where PostgreSQL needs a
        constant (a window's range), the expression (a setting) is read when the model compiles. -#}
    {{ return(adapter.dispatch('days_of', 'leadflow')(expression, constant)) }}
{%- endmacro %}

{% macro duckdb__days_of(expression, constant) -%}
    to_days({{ expression }})
{%- endmacro %}

{% macro postgres__days_of(expression, constant) -%}
    {%- if constant -%}
    {%- set days = run_query('select ' ~ expression).columns[0].values()[0] if execute else 0 -%}
    interval '{{ days }} day'
    {%- else -%}
    (({{ expression }}) * interval '1 day')
    {%- endif -%}
{%- endmacro %}

{% macro day_of_week(expression) -%}
    {#- 0 for Sunday to 6 for Saturday. -#}
    {{ return(adapter.dispatch('day_of_week', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__day_of_week(expression) -%}
    dayofweek({{ expression }})
{%- endmacro %}

{% macro postgres__day_of_week(expression) -%}
    cast(extract(dow from {{ expression }}) as integer)
{%- endmacro %}

{% macro seconds_of(expression) -%}
    {#- An interval of `expression` (an integer) seconds. -#}
    {{ return(adapter.dispatch('seconds_of', 'leadflow')(expression)) }}
{%- endmacro %}

{% macro duckdb__seconds_of(expression) -%}
    to_seconds({{ expression }})
{%- endmacro %}

{% macro postgres__seconds_of(expression) -%}
    (({{ expression }}) * interval '1 second')
{%- endmacro %}

{% macro format_time(expression, format) -%}
    {#- A date or timestamp as text, `format` in strftime's terms (the ones below). -#}
    {{ return(adapter.dispatch('format_time', 'leadflow')(expression, format)) }}
{%- endmacro %}

{% macro duckdb__format_time(expression, format) -%}
    strftime({{ expression }}, '{{ format }}')
{%- endmacro %}

{% macro postgres__format_time(expression, format) -%}
    {%- set formats = {'%Y-%m-%d': 'YYYY-MM-DD', '%Y-%m-%dT%H:%M:%S.%gZ': 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'} -%}
    {%- if format not in formats -%}
        {{ exceptions.raise_compiler_error("format_time: no PostgreSQL format for " ~ format) }}
    {%- endif -%}
    to_char({{ expression }}, '{{ formats[format] }}')
{%- endmacro %}
