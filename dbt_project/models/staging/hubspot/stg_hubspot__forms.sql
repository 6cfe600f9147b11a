with

source as (
    select * from {{ source('hubspot', 'forms') }}
),

renamed as (
    select
        id as form_id,
        record ->> 'name' as form_name,
        record ->> 'formType' as form_type,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
