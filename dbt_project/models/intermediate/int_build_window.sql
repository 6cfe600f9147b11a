-- One row: what this build sees (its start, the newest raw load time, the run date, a hash of
-- the rules and the code that give activities, their points, running scores and lifecycle
-- evidence) beside what the incremental
-- models saw at their last build. is_full: they recompute everyone (first build, a model
-- missing, rules or code changed, a run date earlier than the last, forms or campaigns changed,
-- since their names type the activities). The code hashed is the models' own and the text of
-- the activity_rows macro (not its rendering, which would make this model depend on
-- int_people_records, which reads this one).
{%- set points_code = [] %}
{%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name in ['int_activities', 'int_people_records', 'int_identity_changes', 'int_crm_records', 'int_people_unified', 'int_people_fit', 'int_field_signals', 'int_negative_signals', 'int_signal_points', 'int_activity_caps', 'int_activity_points', 'int_decayed_points', 'int_tracked_counts', 'int_score_history', 'int_score_bases', 'int_touched_people', 'int_landed_activity_keys', 'int_record_links', 'int_build_window', 'int_lead_status_changes', 'int_person_opportunities', 'int_activity_evidence', 'int_lifecycle_events', 'int_recycle_events', 'int_people_lifecycle'] %}
{%- do points_code.append(node.raw_code) %}
{%- endfor %}
with

increments as (
    select * from dbt_state.increments
    where model in ('{{ increment_models() | join("', '") }}')
),

previous as (
    select
        count(*) as models,
        -- The oldest: a model that failed at the last build catches up with this one.
        min(built_at) as built_at,
        min(loaded_watermark) as loaded_watermark,
        min(as_of_end) as as_of_end,
        max(as_of_end) as latest_as_of_end,
        count(distinct rules_hash) as rules_hashes,
        min(rules_hash) as rules_hash
    from increments
),

current_build as (
    select
        {{ build_started_at() }} as built_at,
        {{ raw_loaded_watermark() }} as loaded_watermark,
        {{ as_of_end() }} as as_of_end,
        md5(
            '{{ local_md5(activity_rows.macro.macro_sql ~ (points_code | sort | join("\n"))) }}'
            || {{ seed_text('activity_mapping') }}
            || {{ seed_text('activity_rules') }}
            || {{ seed_text('chat_intent_rules') }}
            || {{ seed_text('stage_rules') }}
            || {{ seed_text('lifecycle_stages') }}
            || {{ seed_text('recycle_rules') }}
            || {{ seed_text('score_groups') }}
            || {{ seed_text('scoring_settings') }}
            || {{ seed_text('industry_aliases') }}
            || {{ seed_text('free_mail_domains') }}
            || {{ seed_text('fit_rules') }}
            || {{ seed_text('title_rules') }}
            || {{ seed_text('country_regions') }}
            || {{ seed_text('fit_grades') }}
            || {{ seed_text('field_signal_rules') }}
            || {{ seed_text('negative_rules') }}
            || {{ seed_text('competitor_domains') }}
        ) as rules_hash
),

dimensions as (
    select max(_loaded_at) as loaded_at from {{ source('hubspot', 'forms') }}
    union all
    select max(_loaded_at) from {{ source('salesforce', 'campaign') }}
),

final as (
    select
        current_build.built_at,
        current_build.loaded_watermark,
        current_build.as_of_end,
        current_build.rules_hash,
        previous.built_at as previous_built_at,
        previous.loaded_watermark as previous_loaded_watermark,
        previous.as_of_end as previous_as_of_end,
        previous.models < {{ increment_models() | length }}
        or previous.rules_hashes > 1
        or previous.rules_hash is distinct from current_build.rules_hash
        or current_build.as_of_end < previous.latest_as_of_end
        or coalesce(
            (select max(loaded_at) from dimensions)
            > coalesce(previous.loaded_watermark, '-infinity'::timestamp),
            false
        ) as is_full
    from current_build
    cross join previous
)

select * from final
