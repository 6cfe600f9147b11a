-- Values of live Salesforce records that leadflow cannot read as their field's type, or that no
-- real record holds (see the value_problem macro): one row per record and field. The staging
-- models read them as unknown (or, for a creation date in the future, as the modification
-- date); main.quarantine lists them with the other problems.
with

leads as (
    {{ invalid_values(source('salesforce', 'lead'), 'Lead', [
        ('Email', 'email'), ('NumberOfEmployees', 'count'), ('AnnualRevenue', 'amount'),
        ('ConvertedDate', 'date'), ('CreatedDate', 'past_datetime'),
    ]) }}
),

contacts as (
    {{ invalid_values(source('salesforce', 'contact'), 'Contact', [
        ('Email', 'email'), ('CreatedDate', 'past_datetime'),
    ]) }}
),

accounts as (
    {{ invalid_values(source('salesforce', 'account'), 'Account', [
        ('NumberOfEmployees', 'count'), ('AnnualRevenue', 'amount'), ('CreatedDate', 'past_datetime'),
    ]) }}
),

tasks as (
    {{ invalid_values(source('salesforce', 'task'), 'Task', [
        ('ActivityDate', 'date'), ('CreatedDate', 'past_datetime'),
    ]) }}
),

calendar_events as (
    {{ invalid_values(source('salesforce', 'event'), 'Event', [
        ('StartDateTime', 'datetime'), ('EndDateTime', 'datetime'), ('ActivityDateTime', 'datetime'),
        ('ActivityDate', 'date'), ('CreatedDate', 'past_datetime'),
    ]) }}
),

campaign_members as (
    {{ invalid_values(source('salesforce', 'campaign_member'), 'CampaignMember', [
        ('CreatedDate', 'past_datetime'),
    ]) }}
),

final as (
    select * from leads
    union all
    select * from contacts
    union all
    select * from accounts
    union all
    select * from tasks
    union all
    select * from calendar_events
    union all
    select * from campaign_members
)

select * from final
