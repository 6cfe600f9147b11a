with

source as (
    -- The fields below, parsed once (json_struct).
    select
        * replace ({{ json_struct('record', [
            'conversationsThreadId', 'type', 'direction', 'createdBy', 'text', 'createdAt',
            ('senders', [{'actorId': 'VARCHAR'}])
        ]) }} as record)
    from {{ source('hubspot', 'conversation_messages') }}
),

renamed as (
    select
        id as message_id,
        record.conversationsThreadId as thread_id,
        record.type as message_type,
        -- INCOMING: from the visitor; OUTGOING: from us (an agent or a bot).
        record.direction as direction,
        coalesce(record.createdBy, record.senders[1].actorId) as sender_actor_id,
        record.text as message_text,
        {{ utc_timestamp("record.createdAt") }} as created_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
