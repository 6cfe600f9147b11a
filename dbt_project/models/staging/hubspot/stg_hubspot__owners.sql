with

source as (
    select * from {{ source('hubspot', 'owners') }}
),

renamed as (
    -- Archived owners are kept and flagged: records may still point at them.
    select
        id as hubspot_owner_id,
        {{ normalized_email("record ->> 'email'") }} as email,
        record ->> 'firstName' as first_name,
        record ->> 'lastName' as last_name,
        {{ try_cast("record ->> 'userId'", 'bigint') }} as user_id,
        coalesce(is_deleted, false) as is_archived,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at,
        modified_at
    from source
)

select * from renamed
