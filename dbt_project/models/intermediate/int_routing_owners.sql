-- Everyone who may own a person, one row per email: Salesforce users and HubSpot owners matched
-- by email, with what the routing file (routing.yml) says of them - teams, capacity and weight,
-- time zone, working hours, holidays, away periods. The query is the routing_roster macro, so
-- that `leadflow route --what-if` renders it again from another file.
{{ routing_roster() }}
