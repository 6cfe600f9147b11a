"""HubSpot connector: read CRM objects and marketing activity, write leadflow's properties."""

from .client import HubSpotClient, HubSpotConfig, RollingWindow
from .settings import OBJECTS, WRITEBACK_PROPERTIES
from .sink import HubSpotSink
from .source import HubSpotSource

__all__ = [
    "OBJECTS",
    "WRITEBACK_PROPERTIES",
    "HubSpotClient",
    "HubSpotConfig",
    "HubSpotSink",
    "HubSpotSource",
    "RollingWindow",
]
