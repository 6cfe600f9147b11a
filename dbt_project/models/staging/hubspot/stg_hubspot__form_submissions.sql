-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='conversion_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'formId', 'submittedAt', 'pageUrl', ('values', [{'name': 'VARCHAR', 'value': 'VARCHAR'}])
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'form_submissions')) }}
),

renamed as (
    select
        id as conversion_id,
        {{ json_field('formId') }} as form_id,
        {{ utc_timestamp(json_field('submittedAt')) }} as submitted_at,
        {{ json_field('pageUrl') }} as page_url,
        -- The email field of the submitted values (`values` is a list of {name, value}).
        {{ normalized_email(json_list_lookup('values', 'name', "'email'", 'value')) }} as email,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
