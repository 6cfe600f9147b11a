"""`leadflow config check`: settings, scoring rules and routing file, checked without a build."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from pydantic import ValidationError

from flows.config_file import ConfigError, config_path, key_lines, read_config
from flows.routing_check import check_routing
from flows.rules_check import Problem, check_seeds


def check_config(project_dir: Path | None = None) -> dict:
    """Every problem found, by file and line; `ok` when there is none."""
    problems, project = _settings()
    project = Path(project_dir or project)
    problems += check_seeds(project / "seeds")
    problems += check_routing(project / "routing.yml")
    toml = None
    with contextlib.suppress(ConfigError):  # reported by _settings already
        toml = config_path()
    return {
        "ok": not problems,
        "checked": {
            "settings": str(toml) if toml else "environment and .env (no leadflow.toml)",
            "seeds": str(project / "seeds"),
            "routing": str(project / "routing.yml"),
        },
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in problems],
    }


def _settings() -> tuple[list[Problem], Path]:
    """The TOML file's keys and every setting's value; the dbt project the settings name."""
    from flows.settings import REPO_ROOT, Settings

    problems: list[Problem] = []
    default_project = REPO_ROOT / "dbt_project"
    try:
        path = config_path()
    except ConfigError as err:
        return [Problem("LEADFLOW_CONFIG", 0, str(err))], default_project
    lines: dict[str, int] = {}
    if path is not None:
        try:
            values = read_config(path)
        except ConfigError as err:
            return [Problem(str(path), _toml_line(str(err)), str(err))], default_project
        lines = key_lines(path)
        for key in values:
            if key not in Settings.model_fields:
                problems.append(Problem(str(path), lines.get(key, 0), f"unknown setting {key}"))
    try:
        settings = Settings()
    except ValidationError as err:
        for error in err.errors():
            key = str(error["loc"][0]) if error["loc"] else ""
            env = f"LEADFLOW_{key.upper()}"
            in_toml = path is not None and key in lines and env not in os.environ
            where = str(path) if in_toml else env
            problems.append(Problem(where, lines.get(key, 0) if in_toml else 0, f"{key}: {error['msg']}"))
        return problems, default_project
    return problems, settings.dbt_project_dir


def _toml_line(message: str) -> int:
    """tomllib says `(at line 3, column 7)`."""
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else 0
