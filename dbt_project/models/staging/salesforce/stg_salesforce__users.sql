with

source as (
    select * from {{ source('salesforce', 'user') }}
),

renamed as (
    select
        id as user_id,
        {{ normalized_email("record ->> 'Email'") }} as email,
        record ->> 'FirstName' as first_name,
        record ->> 'LastName' as last_name,
        record ->> 'Name' as full_name,
        coalesce({{ try_cast("record ->> 'IsActive'", 'boolean') }}, false) as is_active,
        record ->> 'Department' as department,
        record ->> 'Title' as title,
        record ->> 'Country' as country,
        record ->> 'TimeZoneSidKey' as time_zone,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
