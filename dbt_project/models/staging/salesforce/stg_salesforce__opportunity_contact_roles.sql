with

source as (
    select * from {{ source('salesforce', 'opportunity_contact_role') }}
),

renamed as (
    select
        id as opportunity_contact_role_id,
        record ->> 'OpportunityId' as opportunity_id,
        record ->> 'ContactId' as contact_id,
        record ->> 'Role' as role,
        coalesce(try_cast(record ->> 'IsPrimary' as boolean), false) as is_primary,
        {{ utc_timestamp("record ->> 'CreatedDate'") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
