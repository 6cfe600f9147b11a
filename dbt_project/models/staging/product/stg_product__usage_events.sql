{#- Product usage from a file drop, with columns email, event_name, occurred_at and optionally
    event_id, quantity. DuckDB reads every Parquet, CSV and gzipped CSV file in the folder (and its
    subfolders) named by var `product_usage_dir` (default: env LEADFLOW_PRODUCT_USAGE_DIR); no
    folder or no files: empty.
    Other warehouses cannot read files: there the rows come from the raw table the extract lands
    the same files in (source product.usage_events, one JSON record per file row). -#}
{%- set reads_files = target.type == 'duckdb' -%}
{%- set folder = var('product_usage_dir', env_var('LEADFLOW_PRODUCT_USAGE_DIR', '')) -%}
{%- set kinds = [] -%}
{%- if reads_files and folder and execute -%}
    {%- for kind in ['parquet', 'csv', 'csv.gz'] -%}
        {%- set found = run_query("select count(*) from glob('" ~ folder ~ "/**/*." ~ kind ~ "')") -%}
        {%- if found.columns[0].values()[0] > 0 -%}{%- do kinds.append(kind) -%}{%- endif -%}
    {%- endfor -%}
{%- endif -%}
{#- One row per event: an event seen in two files (or landed from two) counts once. -#}
{%- set deduplicated = kinds or not reads_files %}
with

{% if reads_files -%}
shape as (
    -- The columns a file may carry; UNION ALL BY NAME fills the ones it lacks with nulls.
    select
        cast(null as varchar) as email,
        cast(null as varchar) as event_name,
        cast(null as timestamp) as occurred_at,
        cast(null as varchar) as event_id,
        cast(null as double) as quantity,
        cast(null as varchar) as filename
    where false
),

source as (
    select * from shape
    {%- for kind in kinds %}
    union all by name
    select * from read_{{ 'parquet' if kind == 'parquet' else 'csv' }}('{{ folder }}/**/*.{{ kind }}', union_by_name = true, filename = true)
    {%- endfor %}
),
{%- else -%}
raw_usage_events as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', ['email', 'event_name', 'occurred_at', 'event_id', 'quantity', '_file']) }}
    from {{ source('product', 'usage_events') }}
    where not coalesce(is_deleted, false)
),

source as (
    -- The file columns as the file read gives them; the file's name stands for its path.
    select
        {{ json_field('email') }} as email,
        {{ json_field('event_name') }} as event_name,
        {{ utc_timestamp(json_field('occurred_at')) }} as occurred_at,
        {{ json_field('event_id') }} as event_id,
        {{ try_cast(json_field('quantity'), 'double') }} as quantity,
        {{ json_field('_file') }} as filename,
        _loaded_at
    from raw_usage_events
),
{%- endif %}

renamed as (
    select {{ distinct_on('usage_event_id') if deduplicated }}
        -- Files without an event id get one from their content, stable across reloads.
        coalesce(
            cast(event_id as varchar), md5(concat_ws('|', email, event_name, occurred_at))
        ) as usage_event_id,
        {{ normalized_email('cast(email as varchar)') }} as email,
        cast(event_name as varchar) as event_name,
        cast(occurred_at as timestamp) as occurred_at,
        coalesce(cast(quantity as double), 1) as quantity,
        cast(filename as varchar) as source_file
    from source
    where occurred_at is not null
    {%- if deduplicated %}
    {#- A row changed in its file lands as a new raw row beside the old: the later landed wins. #}
    {{ first_per('usage_event_id', 'source_file' if reads_files else 'source_file, _loaded_at desc') }}
    {%- endif %}
)

select * from renamed
