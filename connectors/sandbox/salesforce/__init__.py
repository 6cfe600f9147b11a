"""The Salesforce REST API emulator (REST, Tooling CustomField, Bulk API 2.0) of leadflow's sandbox."""

from .app import SalesforceApp

__all__ = ["SalesforceApp"]
