with

source as (
    select * from {{ source('hubspot', 'form_submissions') }}
),

renamed as (
    select
        id as conversion_id,
        record ->> 'formId' as form_id,
        {{ utc_timestamp("record ->> 'submittedAt'") }} as submitted_at,
        record ->> 'pageUrl' as page_url,
        -- The email field of the submitted values (`values` is a list of {name, value}).
        {{ normalized_email("list_extract(
            json_extract_string(record, '$.values[*].value'),
            list_position(json_extract_string(record, '$.values[*].name'), 'email')
        )") }} as email
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
