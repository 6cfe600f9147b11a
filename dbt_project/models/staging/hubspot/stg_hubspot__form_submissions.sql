with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'formId', 'submittedAt', 'pageUrl', ('values', [{'name': 'VARCHAR', 'value': 'VARCHAR'}])
        ]) }} as record)
    from {{ source('hubspot', 'form_submissions') }}
),

renamed as (
    select
        id as conversion_id,
        record.formId as form_id,
        {{ utc_timestamp("record.submittedAt") }} as submitted_at,
        record.pageUrl as page_url,
        -- The email field of the submitted values (`values` is a list of {name, value}).
        {{ normalized_email("list_extract(
            list_transform(record.values, field -> field.value),
            list_position(list_transform(record.values, field -> field.name), 'email')
        )") }} as email
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
