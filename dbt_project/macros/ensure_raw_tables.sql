{# Create empty raw tables the extract has not landed yet (an object with no records, a CRM
   that is not connected, no product usage folder), in the landing contract's shape, so that
   every model builds. #}
{% macro ensure_raw_tables() %}
    {%- set raw = {
        var('salesforce_schema', 'raw_salesforce'): [
            'user', 'account', 'lead', 'contact', 'campaign', 'campaign_member', 'task', 'event',
            'opportunity', 'opportunity_contact_role', 'lead_history'],
        var('hubspot_schema', 'raw_hubspot'): [
            'contacts', 'companies', 'deals', 'owners', 'calls', 'emails', 'meetings', 'notes',
            'forms', 'form_submissions', 'email_events', 'web_events', 'conversation_threads',
            'conversation_messages'],
        var('product_schema', 'raw_product'): ['usage_events'],
    } -%}
    {%- for schema, tables in raw.items() %}
    create schema if not exists "{{ schema }}";
        {%- for table in tables %}
    create table if not exists "{{ schema }}"."{{ table }}" (
        id varchar primary key, modified_at timestamp, is_deleted boolean,
        record {{ 'jsonb' if target.type == 'postgres' else 'json' }},
        _loaded_at timestamp
    );
        {%- endfor %}
    {%- endfor %}
{% endmacro %}
