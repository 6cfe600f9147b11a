with

source as (
    select * from {{ source('hubspot', 'conversation_messages') }}
),

renamed as (
    select
        id as message_id,
        record ->> 'conversationsThreadId' as thread_id,
        record ->> 'type' as message_type,
        -- INCOMING: from the visitor; OUTGOING: from us (an agent or a bot).
        record ->> 'direction' as direction,
        coalesce(record ->> 'createdBy', record -> 'senders' -> 0 ->> 'actorId') as sender_actor_id,
        record ->> 'text' as message_text,
        {{ utc_timestamp("record ->> 'createdAt'") }} as created_at
    from source
    where not coalesce(is_deleted, false)
)

select * from renamed
