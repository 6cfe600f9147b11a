-- A table kept up to date, not a view (like the email and web events): the nightly parses only
-- the raw rows loaded since the last build, and what reads it reads columns, not JSON.
{{ config(
    materialized='incremental',
    unique_key='thread_id',
    incremental_strategy='delete+insert',
    post_hook="delete from {{ this }} where is_deleted",
) }}
with

source as (
    -- The fields below, parsed once (json_struct).
    select
        {{ parsed_record('record', [
            'associatedContactId', 'status', 'spam', 'originalChannelId', 'assignedTo', 'createdAt',
            'latestMessageTimestamp'
        ]) }}
    from {{ landed_since_last_build(source('hubspot', 'conversation_threads')) }}
),

renamed as (
    select
        id as thread_id,
        nullif(cast({{ json_field('associatedContactId') }} as varchar), '') as hubspot_contact_id,
        {{ json_field('status') }} as status,
        coalesce({{ try_cast(json_field('spam'), 'boolean') }}, false) as is_spam,
        {{ json_field('originalChannelId') }} as channel_id,
        nullif({{ json_field('assignedTo') }}, '') as assigned_to,
        {{ utc_timestamp(json_field('createdAt')) }} as created_at,
        {{ utc_timestamp(json_field('latestMessageTimestamp')) }} as latest_message_at,
        coalesce(is_deleted, false) as is_deleted,
        _loaded_at
    from source
    {% if not is_incremental() %}
    where not coalesce(is_deleted, false)
    {% endif %}
)

select * from renamed
