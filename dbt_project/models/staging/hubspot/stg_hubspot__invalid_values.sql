-- Values of live HubSpot records that leadflow cannot read as their property's type, or that no
-- real record holds (see the value_problem macro): one row per record and property. The staging
-- models read them as unknown; main.quarantine lists them with the other problems. HubSpot checks
-- types itself, so these are mostly addresses (HubSpot takes some that are none) and dates.
{%- set stage_dates = [] %}
{%- for stage in ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] %}
{%- do stage_dates.append(('properties.hs_lifecyclestage_' ~ stage ~ '_date', 'past_datetime')) %}
{%- endfor %}
with

contacts as (
    {{ invalid_values(source('hubspot', 'contacts'), 'contacts', [
        ('properties.email', 'email'), ('createdAt', 'past_datetime'),
    ] + stage_dates) }}
),

companies as (
    {{ invalid_values(source('hubspot', 'companies'), 'companies', [
        ('properties.numberofemployees', 'count'), ('properties.annualrevenue', 'amount'),
        ('createdAt', 'past_datetime'),
    ]) }}
),

final as (
    select * from contacts
    union all
    select * from companies
)

select * from final
