{#- Stage and score of every person as each build saw them: a new row whenever one of the
    checked columns changed, so "when did this person become an MQL, and what was their score
    then" is answered after the fact. dbt_valid_from / dbt_valid_to are build times (UTC). -#}
{% snapshot people_history %}
{{ config(
    unique_key='person_id',
    strategy='check',
    check_cols=['lifecycle_stage', 'score', 'fit_score', 'engagement_score', 'tier', 'score_matrix', 'mql_at', 'sql_at', 'owner_salesforce_user_id'],
    hard_deletes='invalidate',
) }}
select
    person_id,
    lifecycle_stage,
    score,
    fit_score,
    engagement_score,
    tier,
    score_matrix,
    mql_at,
    sql_at,
    pql_at,
    cql_at,
    owner_salesforce_user_id,
    scored_as_of
from {{ ref('people') }}
{% endsnapshot %}
