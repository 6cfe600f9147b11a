"""Word lists the synthetic company is made of: names, firms, titles, places, campaigns, pages."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Steven Ashley Paul Emily Andrew Donna Joshua Michelle Kevin Carol Brian "
    "Amanda Lukas Anna Felix Lea Jonas Marie Leon Sophie Hugo Camille Louis Chloe Lucas Emma "
    "Arjun Priya Rahul Ananya Wei Mei Hiroshi Yuki Minh Linh Mateo Valentina Santiago Camila "
    "Oliver Amelia Noah Isla Jack Freya Liam Ava Ethan Zoe Aisha Omar Fatima Yusuf Ingrid Lars"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
    "Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris "
    "Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Moreau Laurent Bernard "
    "Rossi Russo Ferrari Sato Suzuki Tanaka Nguyen Tran Kumar Sharma Patel Singh Chen Wang "
    "Silva Santos Oliveira Costa Jensen Hansen Nielsen Larsen Kowalski Novak O'Brien Murphy"
)

# Two halves of a made-up firm name; the domain is both joined.
FIRM_WORDS = _words(
    "North Blue Bright Silver Iron Summit Vertex Cedar Harbor Pioneer Atlas Nova Quantum Apex "
    "Granite Crescent Falcon Maple Orbit Pixel Prairie Redwood Sterling Tidal Urban Vector "
    "Willow Zenith Alpine Beacon Cobalt Delta Ember Fjord Golden Horizon Indigo Juniper Keystone"
)
FIRM_KINDS = _words(
    "Analytics Logistics Systems Health Financial Labs Software Retail Foods Energy Robotics "
    "Media Partners Networks Dynamics Works Capital Industries Cloud Security Bio Motors"
)
TLDS = ("com", "com", "com", "io", "co", "de", "co.uk", "fr", "com.au", "net")

# Salesforce Account.Industry picklist label, HubSpot company industry internal value.
INDUSTRIES = (
    ("Technology", "COMPUTER_SOFTWARE", 22),
    ("Financial Services", "FINANCIAL_SERVICES", 12),
    ("Healthcare", "HOSPITAL_HEALTH_CARE", 10),
    ("Manufacturing", "INDUSTRIAL_AUTOMATION", 12),
    ("Retail", "RETAIL", 9),
    ("Media", "MARKETING_AND_ADVERTISING", 7),
    ("Transportation", "LOGISTICS_AND_SUPPLY_CHAIN", 7),
    ("Education", "EDUCATION_MANAGEMENT", 6),
    ("Government", "GOVERNMENT_ADMINISTRATION", 4),
    ("Not For Profit", "NON_PROFIT_ORGANIZATION_MANAGEMENT", 3),
    ("Energy", "OIL_ENERGY", 5),
    ("Consulting", "MANAGEMENT_CONSULTING", 3),
)

# Country name as both CRMs hold it, a city, the Salesforce time zone there, weight.
COUNTRIES = (
    ("United States", "Austin", "America/Chicago", 38),
    ("United Kingdom", "London", "Europe/London", 12),
    ("Germany", "Berlin", "Europe/Berlin", 10),
    ("France", "Paris", "Europe/Paris", 6),
    ("Canada", "Toronto", "America/Toronto", 6),
    ("Netherlands", "Amsterdam", "Europe/Amsterdam", 4),
    ("Australia", "Sydney", "Australia/Sydney", 5),
    ("Singapore", "Singapore", "Asia/Singapore", 3),
    ("India", "Bangalore", "Asia/Kolkata", 5),
    ("Japan", "Tokyo", "Asia/Tokyo", 3),
    ("Brazil", "Sao Paulo", "America/Sao_Paulo", 4),
    ("Mexico", "Mexico City", "America/Mexico_City", 2),
    ("Spain", "Madrid", "Europe/Madrid", 2),
)

# Sales reps' home countries and time zones (Salesforce User.Country, TimeZoneSidKey).
REP_PLACES = (
    ("United States", "America/New_York"),
    ("United States", "America/Chicago"),
    ("United States", "America/Los_Angeles"),
    ("Canada", "America/Toronto"),
    ("United Kingdom", "Europe/London"),
    ("Germany", "Europe/Berlin"),
    ("France", "Europe/Paris"),
    ("Netherlands", "Europe/Amsterdam"),
    ("Australia", "Australia/Sydney"),
    ("Singapore", "Asia/Singapore"),
    ("Brazil", "America/Sao_Paulo"),
    ("India", "Asia/Kolkata"),
)

SENIORITIES = (  # (title prefix pattern, weight)
    ("Chief {d} Officer", 3),
    ("VP of {D}", 6),
    ("Head of {D}", 6),
    ("Director of {D}", 12),
    ("Senior {D} Manager", 10),
    ("{D} Manager", 20),
    ("{D} Specialist", 15),
    ("{D} Analyst", 14),
    ("{D} Coordinator", 8),
)
DEPARTMENTS = (  # (department in titles, its C-level letter word, weight)
    ("Marketing", "Marketing", 26),
    ("Sales", "Revenue", 16),
    ("Revenue Operations", "Revenue", 8),
    ("Marketing Operations", "Marketing", 6),
    ("Operations", "Operating", 10),
    ("IT", "Information", 10),
    ("Engineering", "Technology", 8),
    ("Finance", "Financial", 8),
    ("Human Resources", "People", 5),
    ("Customer Success", "Customer", 3),
)
OTHER_TITLES = ("Founder & CEO", "CEO", "Owner", "Consultant", "Software Engineer", "Intern")
STUDENT_TITLES = ("Student", "MBA Student", "Job Seeker", "Looking for new opportunities")
UNIVERSITIES = ("State University", "Institute of Technology", "Business School", "College")

FREE_MAIL = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "gmx.de", "web.de")
COMPETITORS = (
    ("LeadSpark", "leadspark.io"),
    ("ScoreFlow", "scoreflow.com"),
    ("FunnelForge", "funnelforge.com"),
    ("PipeRank", "piperank.io"),
)

SITE = "https://www.brightfunnel.example"
PAGES = (  # path, title, weight
    ("/", "Home", 18),
    ("/product", "Product", 14),
    ("/blog/lead-scoring-guide", "A guide to lead scoring", 12),
    ("/blog/mql-vs-sql", "MQL vs SQL", 8),
    ("/integrations", "Integrations", 8),
    ("/customers", "Customer stories", 7),
    ("/docs/getting-started", "Getting started", 6),
    ("/careers", "Careers", 2),
    ("/pricing", "Pricing", 10),
)

FORMS = (  # name, landing page
    ("Demo request", "/demo"),
    ("Contact sales", "/contact"),
    ("Whitepaper download", "/resources/revenue-operations-whitepaper"),
    ("Webinar registration", "/webinars"),
    ("Free trial signup", "/trial"),
    ("Newsletter signup", "/blog"),
    ("Pricing inquiry", "/pricing"),
)

CAMPAIGNS = (  # name, Salesforce Campaign.Type, days before today it started
    ("Webinar: Scoring that sales trusts", "Webinar", 300),
    ("Webinar: From MQL to revenue", "Webinar", 200),
    ("Webinar: HubSpot and Salesforce in sync", "Webinar", 120),
    ("Webinar: Pipeline reviews that work", "Webinar", 60),
    ("Webinar: Forecasting 101", "Webinar", 20),
    ("SaaStr Annual", "Conference", 250),
    ("Dreamforce", "Conference", 150),
    ("RevOps Summit Europe", "Conference", 45),
    ("Ebook: The RevOps playbook", "Content", 330),
    ("Report: State of B2B funnels", "Content", 90),
    ("Newsletter Q3", "Email", 180),
    ("Product launch announcement", "Email", 30),
)
CAMPAIGN_STATUSES = {  # statuses a member reaches, by campaign type, with weights
    "Webinar": (("Registered", 30), ("Attended", 50), ("No Show", 20)),
    "Conference": (("Registered", 25), ("Attended", 75)),
    "Content": (("Sent", 40), ("Responded", 60)),
    "Email": (("Sent", 70), ("Responded", 30)),
}

ANALYTICS_SOURCES = (
    ("ORGANIC_SEARCH", 30),
    ("DIRECT_TRAFFIC", 15),
    ("PAID_SEARCH", 12),
    ("REFERRALS", 10),
    ("SOCIAL_MEDIA", 8),
    ("PAID_SOCIAL", 5),
    ("EMAIL_MARKETING", 8),
    ("OFFLINE", 12),
)
LEAD_SOURCES = (
    ("Web", 35),
    ("Trade Show", 15),
    ("Webinar", 12),
    ("Partner Referral", 8),
    ("Purchased List", 10),
    ("Advertisement", 10),
    ("Employee Referral", 5),
    ("Other", 5),
)
OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
DEAL_STAGES = {  # Salesforce StageName -> HubSpot default pipeline dealstage
    "Prospecting": "appointmentscheduled",
    "Qualification": "qualifiedtobuy",
    "Needs Analysis": "presentationscheduled",
    "Proposal/Price Quote": "decisionmakerboughtin",
    "Negotiation/Review": "contractsent",
    "Closed Won": "closedwon",
    "Closed Lost": "closedlost",
}
CONTACT_ROLES = ("Decision Maker", "Economic Buyer", "Evaluator", "Influencer", "Technical Buyer")
TASK_SUBJECTS = {
    "Call": ("Intro call", "Discovery call", "Follow-up call", "Left voicemail"),
    "Email": ("Intro email", "Follow-up", "Sent case study", "Meeting recap"),
    "Meeting": ("Discovery meeting", "Product demo", "Pricing review"),
}
