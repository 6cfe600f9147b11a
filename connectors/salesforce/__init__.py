"""Salesforce connector: read objects page by page, write leadflow's fields in collections."""

from .client import SalesforceConfig, connect
from .settings import OBJECTS, WRITEBACK_FIELDS, WRITEBACK_OBJECTS
from .sink import SalesforceSink
from .source import SalesforceSource

__all__ = [
    "OBJECTS",
    "WRITEBACK_FIELDS",
    "WRITEBACK_OBJECTS",
    "SalesforceConfig",
    "SalesforceSink",
    "SalesforceSource",
    "connect",
]
