-- Per person, the page views and form conversions leadflow holds as activities, which
-- int_field_signals takes off HubSpot's own counts. Kept up to date like int_activities: the
-- nightly counts again only for the people touched since the last build.
-- depends_on: {{ ref('int_build_window') }}
-- depends_on: {{ ref('int_touched_people') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ forget_touched_people() }}",
    post_hook="{{ record_increment() }}",
) }}
select
    person_id,
    count(*) filter (where source = 'hubspot_web_event') as tracked_views,
    count(*) filter (where source = 'hubspot_form') as tracked_conversions
from {{ ref('int_activities') }}
where
    source in ('hubspot_web_event', 'hubspot_form')
    {% if is_incremental() -%}
    and {{ touched_activities_condition() }}
    {%- endif %}
group by person_id
