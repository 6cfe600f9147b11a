"""leadflow.toml: the settings in one file, beneath the environment and `.env`.

The file is `$LEADFLOW_CONFIG`, else `leadflow.toml` in the working directory when there is one.
Keys are the settings' names without `LEADFLOW_` in lower case; a table joins its name on, so
`[salesforce] api_version = "60.0"` is `salesforce_api_version`.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

CONFIG_ENV = "LEADFLOW_CONFIG"
DEFAULT_FILE = "leadflow.toml"


class ConfigError(ValueError):
    """The configuration cannot be read: a missing file, bad TOML, an unknown key."""


def config_path() -> Path | None:
    """The TOML file in use, or None; a LEADFLOW_CONFIG naming no file is an error."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={named}: no such file")
        return path
    path = Path(DEFAULT_FILE)
    return path if path.is_file() else None


def read_config(path: Path) -> dict[str, Any]:
    """The file's keys, tables flattened (`[salesforce] api_version` -> `salesforce_api_version`)."""
    try:
        tree = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {err}") from None
    return _flat(tree)


def _flat(tree: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}".lower()
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}_"))
        else:
            out[name] = value
    return out


def key_lines(path: Path) -> dict[str, int]:
    """The line of every key, by its flattened name (tables joined on as in `read_config`)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        header = re.match(r"\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if header:
            table = header.group(1).replace(".", "_").lower() + "_"
            continue
        key = re.match(r"\s*([A-Za-z0-9_\-]+)\s*=", line)
        if key:
            lines.setdefault(f"{table}{key.group(1)}".lower(), number)
    return lines


class TomlSettingsSource(PydanticBaseSettingsSource):
    """The TOML file's values for the fields Settings knows; config check reports the others."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        path = config_path()
        self.values = read_config(path) if path else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        known = self.settings_cls.model_fields
        return {k: v for k, v in self.values.items() if k in known}
