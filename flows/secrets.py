"""Tokens from Prefect Secret blocks, for workers whose environment holds none.

The environment (and `.env`) wins: a block is read only for a token the environment leaves
unset, and only when a Prefect server is configured (PREFECT_API_URL), so a run without one
never starts a temporary server just to find no block.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from flows.settings import Settings

# The setting each token fills, and the setting naming its block.
TOKENS = {
    "salesforce_session_id": "salesforce_session_id_block",
    "hubspot_access_token": "hubspot_access_token_block",
}

log = logging.getLogger(__name__)


def prefect_server_configured() -> bool:
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())


def read_secret_block(name: str) -> str | None:
    """The value of the Secret block `name`, None when there is no such block."""
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(name, _sync=True).get()
    except ValueError:  # Prefect's answer for a block name it does not know
        return None
    return value if isinstance(value, str) and value else None


def with_secret_blocks(settings: Settings) -> Settings:
    """`settings` with every unset token taken from its Secret block, where one exists."""
    missing = {field: block for field, block in TOKENS.items() if getattr(settings, field) is None}
    if not missing or not prefect_server_configured():
        return settings
    found = {}
    for field, block_setting in missing.items():
        block = getattr(settings, block_setting)
        try:
            value = read_secret_block(block)
        except Exception as err:  # noqa: BLE001 - an unreachable server leaves the source off, loudly
            log.warning("could not read the Prefect Secret block %r: %s", block, type(err).__name__)
            continue
        if value is not None:
            found[field] = SecretStr(value)
    return settings.model_copy(update=found) if found else settings
