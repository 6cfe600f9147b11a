{#- Product usage from a file drop: every Parquet and CSV file in the folder named by var
    `product_usage_dir` (default: env LEADFLOW_PRODUCT_USAGE_DIR), with columns email,
    event_name, occurred_at and optionally event_id, quantity. No folder or no files: empty. -#}
{%- set folder = var('product_usage_dir', env_var('LEADFLOW_PRODUCT_USAGE_DIR', '')) -%}
{%- set kinds = [] -%}
{#- DuckDB reads the files; other warehouses load product usage themselves (none here). -#}
{%- if folder and execute and target.type == 'duckdb' -%}
    {%- for kind in ['parquet', 'csv'] -%}
        {%- set found = run_query("select count(*) from glob('" ~ folder ~ "/**/*." ~ kind ~ "')") -%}
        {%- if found.columns[0].values()[0] > 0 -%}{%- do kinds.append(kind) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}
with

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
    select * from read_{{ kind }}('{{ folder }}/**/*.{{ kind }}', union_by_name = true, filename = true)
    {%- endfor %}
),

renamed as (
    select
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
    {%- if kinds %}
    qualify row_number() over (partition by usage_event_id order by source_file) = 1
    {%- endif %}
)

select * from renamed
