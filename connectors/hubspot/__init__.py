"""HubSpot connector: read CRM objects and marketing activity, write leadflow's properties."""

from .client import HubSpotClient, HubSpotConfig
from .settings import OBJECTS, WRITEBACK_PROPERTIES
from .sink import HubSpotSink
from .source import HubSpotSource
from .window import RollingWindow

__all__ = [
    "OBJECTS",
    "WRITEBACK_PROPERTIES",
    "HubSpotClient",
    "HubSpotConfig",
    "HubSpotSink",
    "HubSpotSource",
    "RollingWindow",
]
