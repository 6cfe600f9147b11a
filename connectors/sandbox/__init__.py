"""A local emulator of the Salesforce REST and HubSpot CRM v3 APIs, on loopback HTTPS.

Tests, the demo and the benchmarks run against it with the real vendor clients. It shares no
code with leadflow's own connectors, and production code never imports it.
"""

from .app import FaultPlan, Sandbox, SandboxSettings

__all__ = ["FaultPlan", "Sandbox", "SandboxSettings"]
