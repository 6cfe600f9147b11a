{# The routing file (routing.yml, or var routing_file; var routing, a mapping, wins over both),
   read and checked. Every mistake stops the build with the file, the entry and the key. #}

{% macro routing_config() %}
    {%- set path = routing_file_path() -%}
    {%- set given = var('routing', none) -%}
    {%- if given is mapping -%}
        {{ return(routing_checked(given, 'var routing')) }}
    {%- endif -%}
    {#- At parse time nothing is read: the models render with no rules. -#}
    {%- if not execute -%}
        {{ return(routing_checked({}, path)) }}
    {%- endif -%}
    {%- set text = routing_file_text(path) -%}
    {%- set parsed = fromyaml(text) -%}
    {%- if parsed is none -%}{%- set parsed = {} -%}{%- endif -%}
    {%- if parsed is not mapping -%}
        {{ exceptions.raise_compiler_error("routing file " ~ path ~ ": expected keys rules, teams, ...") }}
    {%- endif -%}
    {{ return(routing_checked(parsed, path)) }}
{% endmacro %}

{#- The routing file's text, read by the warehouse: DuckDB reads files, PostgreSQL (and the
    other warehouses) cannot read the machine dbt runs on: there the routing comes as var routing
    (leadflow's build passes the file parsed; README, "Other warehouses"). -#}
{% macro routing_file_text(path) %}
    {{ return(adapter.dispatch('routing_file_text', 'leadflow')(path)) }}
{% endmacro %}

{% macro duckdb__routing_file_text(path) %}
    {%- set quoted = path | replace("'", "''") -%}
    {%- set found = run_query("select count(*) from glob('" ~ quoted ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ exceptions.raise_compiler_error("routing file " ~ path ~ " does not exist (var routing_file)") }}
    {%- endif -%}
    {{ return(run_query("select content from read_text('" ~ quoted ~ "')").columns[0].values()[0]) }}
{% endmacro %}

{% macro default__routing_file_text(path) %}
    {{ exceptions.raise_compiler_error(
        "routing file " ~ path ~ ": " ~ target.type ~ " cannot read files; pass the routing as var routing, "
        ~ "e.g. --vars \"{routing: $(python -c 'import json, yaml; print(json.dumps(yaml.safe_load(open(\"" ~ path ~ "\"))))')}\""
    ) }}
{% endmacro %}

{% macro routing_file_path() %}
    {%- set name = var('routing_file', 'routing.yml') -%}
    {%- if name.startswith('/') -%}{{ return(name) }}{%- endif -%}
    {{ return(invocation_args_dict.get('project_dir', '.') ~ '/' ~ name) }}
{% endmacro %}

{% macro routing_fail(source, where, message) %}
    {{ exceptions.raise_compiler_error("routing file " ~ source ~ ": " ~ where ~ ": " ~ message) }}
{% endmacro %}

{% macro routing_keys(source, where, entry, allowed) %}
    {%- if entry is not mapping -%}{{ routing_fail(source, where, 'expected a mapping of keys') }}{%- endif -%}
    {%- for key in entry -%}
        {%- if key not in allowed -%}
            {{ routing_fail(source, where, 'unknown key ' ~ key ~ ' (known: ' ~ allowed | join(', ') ~ ')') }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{% macro routing_names(source, where, value) %}
    {#- A list of plain names (regions, countries, segments); a single name is a list of one. -#}
    {%- if value is none -%}{{ return([]) }}{%- endif -%}
    {%- set items = [value] if value is string else value -%}
    {%- if items is string or items is mapping or items is not iterable -%}
        {{ routing_fail(source, where, 'expected a list of names') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for item in items -%}
        {%- if item is not string or item | trim == '' -%}{{ routing_fail(source, where, 'expected names, got ' ~ item) }}{%- endif -%}
        {%- do names.append(item | trim) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro routing_number(source, where, value, integer=false) %}
    {%- if value is none -%}{{ return(none) }}{%- endif -%}
    {%- if value is sameas true or value is sameas false or value is not number or value < 0
        or (integer and value != value | int) -%}
        {{ routing_fail(source, where, 'expected a ' ~ ('whole ' if integer else '') ~ 'number of 0 or more, got ' ~ value) }}
    {%- endif -%}
    {{ return(value | int if integer else value) }}
{% endmacro %}

{% macro routing_time(source, where, value, default) %}
    {#- "09:00"; unquoted YAML gives minutes (17:00 is 1020). -#}
    {%- if value is none -%}{{ return(default) }}{%- endif -%}
    {%- if value is number and value is not sameas true and value is not sameas false -%}
        {%- set value = '%02d:%02d' | format(value // 60, value % 60) -%}
    {%- endif -%}
    {%- if value is not string or not modules.re.fullmatch('([01][0-9]|2[0-3]):[0-5][0-9]|24:00', value) -%}
        {{ routing_fail(source, where, 'expected a time HH:MM, got ' ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{% macro routing_date(source, where, value) %}
    {%- set text = value | string -%}
    {%- if value is none or not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ routing_fail(source, where, 'expected a date YYYY-MM-DD, got ' ~ value) }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}

{% macro routing_hours(source, where, entry, default) %}
    {%- set DAYS = routing_days() -%}
    {#- Working days and hours: {days, start, end}, missing keys from default. -#}
    {%- if entry is none -%}{{ return(default) }}{%- endif -%}
    {{- routing_keys(source, where, entry, ['days', 'start', 'end', 'time_zone']) -}}
    {%- set days = routing_names(source, where ~ ': days', entry.get('days')) if 'days' in entry else default.days -%}
    {%- for day in days -%}
        {%- if day not in DAYS -%}{{ routing_fail(source, where ~ ': days', day ~ ' is not one of ' ~ DAYS | join(', ')) }}{%- endif -%}
    {%- endfor -%}
    {%- set start = routing_time(source, where ~ ': start', entry.get('start'), default.start) -%}
    {%- set end = routing_time(source, where ~ ': end', entry.get('end'), default.end) -%}
    {%- if start >= end -%}{{ routing_fail(source, where, 'start ' ~ start ~ ' is not before end ' ~ end) }}{%- endif -%}
    {{ return({'days': days, 'start': start, 'end': end, 'time_zone': entry.get('time_zone', default.time_zone)}) }}
{% endmacro %}

{% macro routing_days() %}
    {#- Day names in DuckDB's dayofweek order (0 is Sunday). -#}
    {{ return(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']) }}
{% endmacro %}

{% macro routing_checked(parsed, source) %}
    {#- Rule types and the owner_reason each gives. -#}
    {%- set RULE_TYPES = {'sticky': 'current_owner', 'account_owner': 'account_owner',
        'territory': 'territory', 'segment': 'segment', 'round_robin': 'round_robin'} -%}
    {%- set DAYS = routing_days() -%}
    {{- routing_keys(source, 'top level', parsed, ['rules', 'teams', 'segments', 'owners', 'business_hours', 'sla']) -}}
    {%- set always = {'days': DAYS, 'start': '00:00', 'end': '24:00', 'time_zone': none} -%}
    {%- set hours = routing_hours(source, 'business_hours', parsed.get('business_hours'), always) -%}
    {%- if hours.time_zone is not none and hours.time_zone is not string -%}
        {{ routing_fail(source, 'business_hours: time_zone', 'expected an IANA time zone name') }}
    {%- endif -%}

    {%- set segments = [] -%}
    {%- for entry in parsed.get('segments') or [] -%}
        {%- set where = 'segments[' ~ loop.index0 ~ ']' -%}
        {{- routing_keys(source, where, entry, ['name', 'min_employees', 'max_employees']) -}}
        {%- if entry.get('name') is not string -%}{{ routing_fail(source, where, 'name is missing') }}{%- endif -%}
        {%- set low = routing_number(source, where ~ ' (' ~ entry.name ~ '): min_employees', entry.get('min_employees'), true) -%}
        {%- set high = routing_number(source, where ~ ' (' ~ entry.name ~ '): max_employees', entry.get('max_employees'), true) -%}
        {%- if low is not none and high is not none and low > high -%}
            {{ routing_fail(source, where ~ ' (' ~ entry.name ~ ')', 'min_employees is above max_employees') }}
        {%- endif -%}
        {%- do segments.append({'name': entry.name, 'min': low, 'max': high}) -%}
    {%- endfor -%}

    {%- set teams = [] -%}
    {%- for entry in parsed.get('teams') or [] -%}
        {%- set where = 'teams[' ~ loop.index0 ~ ']' -%}
        {{- routing_keys(source, where, entry, ['name', 'members', 'regions']) -}}
        {%- if entry.get('name') is not string -%}{{ routing_fail(source, where, 'name is missing') }}{%- endif -%}
        {%- set where = where ~ ' (' ~ entry.name ~ ')' -%}
        {%- set members = entry.get('members', 'all') -%}
        {%- if members != 'all' -%}
            {%- set members = routing_names(source, where ~ ': members', members) | map('lower') | list -%}
            {%- for email in members -%}
                {%- if not modules.re.fullmatch('[^@\\s]+@[^@\\s]+', email) -%}
                    {{ routing_fail(source, where ~ ': members', email ~ ' is not an email') }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do teams.append({'name': entry.name, 'members': members,
            'regions': routing_names(source, where ~ ': regions', entry.get('regions'))}) -%}
    {%- endfor -%}

    {%- set rules = [] -%}
    {%- for entry in parsed.get('rules') or [] -%}
        {%- set where = 'rules[' ~ loop.index0 ~ ']' -%}
        {{- routing_keys(source, where, entry, ['name', 'type', 'team', 'regions', 'countries', 'segments']) -}}
        {%- if entry.get('name') is not string -%}{{ routing_fail(source, where, 'name is missing') }}{%- endif -%}
        {%- set where = where ~ ' (' ~ entry.name ~ ')' -%}
        {%- if entry.get('type') not in RULE_TYPES -%}
            {{ routing_fail(source, where ~ ': type', 'expected one of ' ~ RULE_TYPES.keys() | join(', ') ~ ', got ' ~ entry.get('type')) }}
        {%- endif -%}
        {%- set rule = {'order': loop.index, 'name': entry.name, 'type': entry.type, 'reason': RULE_TYPES[entry.type],
            'team': entry.get('team'),
            'regions': routing_names(source, where ~ ': regions', entry.get('regions')),
            'countries': routing_names(source, where ~ ': countries', entry.get('countries')) | map('lower') | list,
            'segments': routing_names(source, where ~ ': segments', entry.get('segments'))} -%}
        {%- set is_rotation = entry.type in ['territory', 'segment', 'round_robin'] -%}
        {%- if is_rotation and rule.team not in teams | map(attribute='name') | list -%}
            {{ routing_fail(source, where ~ ': team', 'expected a team of the file, got ' ~ rule.team) }}
        {%- endif -%}
        {%- if not is_rotation and (rule.team or rule.regions or rule.countries or rule.segments) -%}
            {{ routing_fail(source, where, 'a rule of type ' ~ entry.type ~ ' takes no team, regions, countries or segments') }}
        {%- endif -%}
        {%- if entry.type == 'territory' and not (rule.regions or rule.countries) -%}
            {{ routing_fail(source, where, 'a territory rule needs regions or countries') }}
        {%- endif -%}
        {%- if entry.type == 'segment' and not rule.segments -%}
            {{ routing_fail(source, where, 'a segment rule needs segments') }}
        {%- endif -%}
        {%- for name in rule.segments -%}
            {%- if name not in segments | map(attribute='name') | list -%}
                {{ routing_fail(source, where ~ ': segments', name ~ ' is not a segment of the file') }}
            {%- endif -%}
        {%- endfor -%}
        {%- do rules.append(rule) -%}
    {%- endfor -%}

    {%- set owners = [] -%}
    {%- for entry in parsed.get('owners') or [] -%}
        {%- set where = 'owners[' ~ loop.index0 ~ ']' -%}
        {{- routing_keys(source, where, entry, ['email', 'capacity', 'weight', 'time_zone', 'holidays', 'working_hours', 'away']) -}}
        {%- set email = (entry.get('email') or '') | string | trim | lower -%}
        {%- if not modules.re.fullmatch('[^@\\s]+@[^@\\s]+', email) -%}{{ routing_fail(source, where, 'email is missing or not an email') }}{%- endif -%}
        {%- set where = where ~ ' (' ~ email ~ ')' -%}
        {%- set capacity = routing_number(source, where ~ ': capacity', entry.get('capacity'), true) -%}
        {%- set weight = routing_number(source, where ~ ': weight', entry.get('weight')) -%}
        {%- if weight == 0 -%}{{ routing_fail(source, where ~ ': weight', 'must be above 0 (leave the owner out of the team instead)') }}{%- endif -%}
        {%- for key in ['time_zone', 'holidays'] -%}
            {%- if entry.get(key) is not none and entry.get(key) is not string -%}{{ routing_fail(source, where ~ ': ' ~ key, 'expected a name') }}{%- endif -%}
        {%- endfor -%}
        {%- set away = entry.get('away') -%}
        {%- set periods = [] -%}
        {%- if away is not none and away is not sameas true and away is not sameas false -%}
            {%- if away is mapping or away is string or away is not iterable -%}
                {{ routing_fail(source, where ~ ': away', 'expected true or a list of {from, until}') }}
            {%- endif -%}
            {%- for period in away -%}
                {%- set at = where ~ ': away[' ~ loop.index0 ~ ']' -%}
                {{- routing_keys(source, at, period, ['from', 'until']) -}}
                {%- set start = routing_date(source, at ~ ': from', period.get('from')) -%}
                {%- set end = routing_date(source, at ~ ': until', period.get('until')) -%}
                {%- if start > end -%}{{ routing_fail(source, at, 'from is after until') }}{%- endif -%}
                {%- do periods.append({'from': start, 'until': end}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do owners.append({'email': email, 'capacity': capacity, 'weight': weight,
            'time_zone': entry.get('time_zone'), 'holidays': entry.get('holidays'),
            'hours': routing_hours(source, where ~ ': working_hours', entry.get('working_hours'), hours),
            'away_always': away is sameas true, 'away': periods}) -%}
    {%- endfor -%}

    {%- set sla_entry = parsed.get('sla') or {} -%}
    {{- routing_keys(source, 'sla', sla_entry, ['reroute', 'max_reroutes', 'reroute_within_days']) -}}
    {%- set reroute = sla_entry.get('reroute', true) -%}
    {%- if reroute is not sameas true and reroute is not sameas false -%}{{ routing_fail(source, 'sla: reroute', 'expected true or false') }}{%- endif -%}
    {%- set sla = {'reroute': reroute,
        'max_reroutes': routing_number(source, 'sla: max_reroutes', sla_entry.get('max_reroutes', 2), true),
        'reroute_within_days': routing_number(source, 'sla: reroute_within_days', sla_entry.get('reroute_within_days', 7), true)} -%}

    {%- for kind, entries in [('rules', rules), ('teams', teams), ('segments', segments), ('owners', owners)] -%}
        {%- set key = 'email' if kind == 'owners' else 'name' -%}
        {%- set names = entries | map(attribute=key) | list -%}
        {%- for name in names -%}
            {%- if names.count(name) > 1 -%}{{ routing_fail(source, kind, name ~ ' appears twice') }}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return({'source': source, 'rules': rules, 'teams': teams, 'segments': segments, 'owners': owners,
        'hours': hours, 'sla': sla}) }}
{% endmacro %}
