-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='message_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'conversationsThreadId', 'type', 'direction', 'createdBy', 'text', 'createdAt',
            ('senders', [{'actorId': 'VARCHAR'}])
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'conversation_messages')) }}
),

renamed as (
    select
        id as message_id,
        {{ json_field('conversationsThreadId') }} as thread_id,
        {{ json_field('type') }} as message_type,
        -- INCOMING: from the visitor; OUTGOING: from us (an agent or a bot).
        {{ json_field('direction') }} as direction,
        coalesce({{ json_field('createdBy') }}, {{ json_first_item_field('senders', 'actorId') }}) as sender_actor_id,
        {{ json_field('text') }} as message_text,
        {{ utc_timestamp(json_field('createdAt')) }} as created_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
