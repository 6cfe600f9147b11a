{# Small SQL helpers shared by the models; each returns an expression. #}

{% macro as_of() -%}
    {#- The run date (YYYY-MM-DD) or none (today): var `as_of`, else the environment's
        LEADFLOW_AS_OF, which the flows set. A var that changes from run to run makes dbt parse
        the whole project again (seconds); an environment variable read only when the models
        run leaves the previous run's parse in use. -#}
    {%- set value = var('as_of', none) -%}
    {%- if not value and execute -%}
        {%- set value = env_var('LEADFLOW_AS_OF', '') | trim -%}
        {%- if value and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
            {{ exceptions.raise_compiler_error("LEADFLOW_AS_OF must be a date, YYYY-MM-DD: got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    {{- return(value or none) -}}
{%- endmacro %}

{% macro as_of_date() -%}
    {#- The run date decay is measured to: as_of() (var `as_of` or LEADFLOW_AS_OF), else today in UTC. -#}
    {%- if as_of() -%}
        cast('{{ as_of() }}' as date)
    {%- else -%}
        {{ utc_today() }}
    {%- endif -%}
{%- endmacro %}

{% macro as_of_end() -%}
    {#- The last moment of the run date: activities up to it count, later ones do not. -#}
    (cast({{ as_of_date() }} as timestamp) + interval '1 day')
{%- endmacro %}

{% macro known_by_run_date() -%}
    {#- A person (a row of int_people_unified) known by the run date: one of its CRM records was
        created by then, or it has no creation date at all (kept, so that its missing stage fails
        the build's tests rather than going unseen). int_people_lifecycle and
        int_routing_current_owners keep the same people with it. -#}
    (first_seen_at is null or first_seen_at < {{ as_of_end() }})
{%- endmacro %}

{% macro utc_timestamp(expression) -%}
    {#- A vendor time as naive UTC: ISO with any offset (Salesforce +0000, HubSpot Z) or epoch ms. -#}
    {#- A value shaped YYYY-... is no epoch: the regular expression is left out for it. UTC by the
        instant's microseconds, not by the time zone database (three times faster). -#}
    case
        when
            cast({{ expression }} as varchar) not like '____-%'
            and {{ full_match('cast(' ~ expression ~ ' as varchar)', "'[0-9]{10,}'") }}
            then {{ epoch_ms_timestamp(try_cast(expression, 'bigint')) }}
        else {{ utc_of(try_cast(expression, 'timestamptz')) }}
    end
{%- endmacro %}

{% macro vendor_date(expression) -%}
    {#- A date property: YYYY-MM-DD (read as is, in no time zone), an ISO time, or HubSpot's
        midnight epoch ms. An impossible day (2026-02-30) is null, not a failed build: the
        quarantine model names it. -#}
    case
        when {{ full_match('cast(' ~ expression ~ ' as varchar)', "'[0-9]{4}-[0-9]{2}-[0-9]{2}'") }}
            then {{ try_cast(expression, 'date') }}
        else cast({{ utc_timestamp(expression) }} as date)
    end
{%- endmacro %}

{% macro normalized_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{% macro person_email(expression) -%}
    {#- A person's address, normalised; null when it is no address at all ("n/a", a display name):
        such a value must not make strangers one person (main.quarantine names it). The shape is
        the one Salesforce and HubSpot check: something@domain.tld, no spaces. -#}
    case
        when {{ full_match(normalized_email(expression), "'[^@\\s]+@[^@\\s]+\\.[^@\\s]+'") }}
            then {{ normalized_email(expression) }}
    end
{%- endmacro %}

{% macro non_negative(expression, type) -%}
    {#- A count or an amount: null when it is no number or below zero (no company has -5
        employees; main.quarantine names it), instead of scoring or routing on it. -#}
    case when {{ try_cast(expression, type) }} >= 0 then {{ try_cast(expression, type) }} end
{%- endmacro %}

{% macro email_domain(expression) -%}
    nullif(split_part({{ expression }}, '@', 2), '')
{%- endmacro %}

{% macro web_domain(expression) -%}
    {#- www.acme.com from https://www.acme.com/about: lower case, no scheme, www or path. -#}
    nullif(regexp_replace(lower(trim({{ expression }})), '^(https?://)?(www\.)?([^/:?#]+).*$', '\3'), '')
{%- endmacro %}

{% macro api_number(expression) -%}
    {#- A number as the CRM APIs take it: integers without decimals (42, not 42.0). -#}
    case
        when {{ expression }} is null then null
        when {{ expression }} = round({{ expression }}) then cast(cast({{ expression }} as bigint) as varchar)
        else cast({{ expression }} as varchar)
    end
{%- endmacro %}

{% macro setting(name) -%}
    {#- A number of the scoring_settings seed, as a scalar subquery. -#}
    (select cast(value as double) from {{ ref('scoring_settings') }} where setting = '{{ name }}')
{%- endmacro %}

{% macro decayed(points, age_days, half_life_days, window_days) -%}
    {#- What is left of points after age_days: halved every half_life_days, none after
        window_days; either may be null (no decay, no window). -#}
    case
        when {{ window_days }} is not null and {{ age_days }} > {{ window_days }} then 0
        when {{ half_life_days }} is null then {{ points }}
        else {{ points }} * pow(0.5, {{ age_days }} / {{ half_life_days }})
    end
{%- endmacro %}

{% macro chat_intent_pattern(rules) -%}
    {#- The patterns of the chat_intent_rules seed as one regular expression literal (any of
        them matches), read when the model runs: DuckDB compiles a constant pattern once,
        a pattern from a join once per message (50 times slower). -#}
    {%- if execute -%}
        {%- set patterns = run_query("select pattern from " ~ rules ~ " order by pattern").columns[0].values() -%}
        {%- if patterns | length == 0 -%}
            {{ return("'[^\\s\\S]'") }}  {#- no rules: a class that matches nothing -#}
        {%- endif -%}
        {%- set alternatives = [] -%}
        {%- for pattern in patterns -%}
            {%- do alternatives.append("(" ~ pattern ~ ")") -%}
        {%- endfor -%}
        {{ return("'" ~ (alternatives | join('|')) | replace("'", "''") ~ "'") }}
    {%- endif -%}
    {{ return("''") }}
{%- endmacro %}

{% macro json_struct(column, fields) -%}
    {#- The record's fields parsed once into a struct: each `->>` parses the whole record again
        (three times slower with six fields). A field is a path ('properties.email', a string
        then, or null when absent), or a (path, DuckDB JSON structure) pair for lists. -#}
    {%- set tree = {} -%}
    {%- for field in fields -%}
        {%- set path, kind = (field, 'VARCHAR') if field is string else field -%}
        {%- set parts = path.split('.') -%}
        {%- set node = namespace(level=tree) -%}
        {%- for part in parts[:-1] -%}
            {%- if part not in node.level -%}{%- do node.level.update({part: {}}) -%}{%- endif -%}
            {%- set node.level = node.level[part] -%}
        {%- endfor -%}
        {%- do node.level.update({parts[-1]: kind}) -%}
    {%- endfor -%}
    json_transform({{ column }}, '{{ tojson(tree) }}')
{%- endmacro %}

{#- The rows of `relation` loaded after `since` (SQL of a moment), and those without a load
    time, as a relation named `alias`. Two scans in a `union all`, not one with an `or`: a range
    alone lets DuckDB skip the row groups loaded before (0.35 s less per 10,000,000 raw rows),
    and filter before what reads it. -#}
{% macro loaded_after(relation, since, alias='landed') -%}
(
        select * from {{ relation }}
        where _loaded_at > {{ since }}
        union all
        select * from {{ relation }}
        where _loaded_at is null
    ) as {{ alias }}
{%- endmacro %}

{#- In an incremental staging model, what to read of a raw table: only the rows the extract
    landed since the model's last build (rows without a load time are always read again); all
    of them on its first build. -#}
{% macro landed_since_last_build(relation) -%}
{%- if is_incremental() -%}
{{ loaded_after(relation, "(select coalesce(max(_loaded_at), '-infinity'::timestamp) from " ~ this ~ ")") }}
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endmacro %}

{% macro person_id_of(match_key) -%}
    {#- The id of the person a matching key (int_people_records) stands for: 12 characters, so
        that DuckDB keeps each id inline in its vector rather than behind a pointer (a string
        of up to 12 bytes is stored in place), which makes the joins and groupings by person,
        of every model, cheaper than with the 32 hex digits of the whole md5. 72 bits: two of
        10,000,000 people share an id with a chance of about 1 in 100,000,000, and the data
        test one_key_per_id on int_people_records fails the build if two keys ever do. -#}
    {{ short_person_id('md5(' ~ match_key ~ ')') }}
{%- endmacro %}

{% macro migrate_person_ids() -%}
    {#- On run start: a warehouse built before person ids were 12 characters (the md5's 32 hex
        digits, in earlier leadflow versions) has its ids shortened in place, once, in every table of the
        project's schema and of dbt_state, so that the history kept across builds
        (people_history, owner_assignments, int_record_links) goes on following the same
        person. The old id decides the new one (short_person_id of it), as the key's md5 did.
        Only the target's own database: one the profile attaches is left as it is. -#}
    {%- set records = adapter.get_relation(target.database, target.schema, 'int_people_records') if execute else none -%}
    {%- if records is none -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set old = run_query('select count(*) from (select 1 from ' ~ records ~ ' where length(person_id) = 32 limit 1) as old_ids') -%}
    {%- if old.columns[0].values()[0] == 0 -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set columns = run_query(
        "select columns.table_schema, columns.table_name, columns.column_name
        from information_schema.columns
        inner join information_schema.tables
            on tables.table_catalog = columns.table_catalog
            and tables.table_schema = columns.table_schema
            and tables.table_name = columns.table_name
        where
            tables.table_type = 'BASE TABLE'
            and columns.table_catalog = '" ~ target.database ~ "'
            and columns.table_schema in ('" ~ target.schema ~ "', 'dbt_state')
            and columns.column_name in ('person_id', 'previous_person_id')
        order by 1, 2, 3") -%}
    {%- for row in columns.rows %}
    update {{ adapter.quote(target.database) }}.{{ adapter.quote(row[0]) }}.{{ adapter.quote(row[1]) }}
    set {{ row[2] }} = {{ short_person_id(row[2]) }}
    where length({{ row[2] }}) = 32;
    {%- endfor %}
{%- endmacro %}
