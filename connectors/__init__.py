"""Connectors: the only code in leadflow that speaks HTTP (Salesforce, HubSpot)."""
