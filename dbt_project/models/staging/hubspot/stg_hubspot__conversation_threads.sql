with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'associatedContactId', 'status', 'spam', 'originalChannelId', 'assignedTo', 'createdAt',
            'latestMessageTimestamp'
        ]) }} as record)
    from {{ source('hubspot', 'conversation_threads') }}
),

renamed as (
    select
        id as thread_id,
        nullif(cast(record.associatedContactId as varchar), '') as hubspot_contact_id,
        record.status as status,
        coalesce(try_cast(record.spam as boolean), false) as is_spam,
        record.originalChannelId as channel_id,
        nullif(record.assignedTo, '') as assigned_to,
        {{ utc_timestamp("record.createdAt") }} as created_at,
        {{ utc_timestamp("record.latestMessageTimestamp") }} as latest_message_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
