with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'lead_history') }}
),

renamed as (
    select
        id as lead_history_id,
        record.LeadId as lead_id,
        record.Field as field_name,
        record.OldValue as old_value,
        record.NewValue as new_value,
        {{ utc_timestamp("record.CreatedDate") }} as created_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
