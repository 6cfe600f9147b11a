with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'WhoId', 'OwnerId', 'Subject', 'Type', 'TaskSubtype', 'Status', 'ActivityDate',
            'CreatedDate'
        ]) }} as record)
    from {{ source('salesforce', 'task') }}
),

renamed as (
    select
        id as task_id,
        record.WhoId as who_id,
        record.OwnerId as owner_id,
        record.Subject as subject,
        record.Type as task_type,
        record.TaskSubtype as task_subtype,
        record.Status as status,
        {{ vendor_date("record.ActivityDate") }} as activity_date,
        {{ utc_timestamp("record.CreatedDate") }} as created_at,
        modified_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
