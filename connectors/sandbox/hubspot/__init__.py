"""The HubSpot side of the sandbox: CRM v3/v4, owners, properties, forms and activity streams."""

from .app import HubSpotApp

__all__ = ["HubSpotApp"]
