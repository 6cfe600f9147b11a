"""The scoring file a backtest tries: seed CSVs in the seeds' own format, over the project's.

`--rules FILE` is one CSV or a folder of them. Each replaces the project seed it is named after
(`activity_rules.csv`), or, under another name, the one seed whose columns its header lists.
The project's seeds with the replacements over them are checked as a build would check them
(flows/rules_check.py), and every mistake is given with the user's file and line.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import yaml

from flows.rules_check import Problem, check_seeds


class RulesFileError(ValueError):
    """The rules file cannot be replayed: it names no seed, or its rows break the seeds' checks."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def replaced_seeds(rules: Path, project_seeds: Path) -> dict[str, Path]:
    """The seed each CSV of `rules` (a file or a folder) replaces, by seed name."""
    rules = Path(rules)
    if rules.is_dir():
        files = sorted(rules.glob("*.csv"))
        if not files:
            raise RulesFileError([Problem(str(rules), 0, "the folder holds no .csv file")])
    elif rules.is_file():
        files = [rules]
    else:
        raise RulesFileError([Problem(str(rules), 0, "no such file or folder")])
    columns = _seed_columns(project_seeds)
    found: dict[str, Path] = {}
    problems = []
    for path in files:
        name = path.stem if path.stem in columns else _by_header(path, columns)
        if name is None:
            problems.append(
                Problem(
                    str(path),
                    1,
                    "neither named after a seed nor with a seed's columns "
                    f"(seeds: {', '.join(sorted(columns))})",
                )
            )
        elif name in found:
            problems.append(Problem(str(path), 1, f"replaces {name} as {found[name]} does already"))
        else:
            found[name] = path
    if problems:
        raise RulesFileError(problems)
    return found


def overlay_seeds(rules: Path, project_seeds: Path, into: Path) -> dict[str, Path]:
    """Copy the project's seeds to `into` with the rules file's over them, checked; the replacements."""
    replaced = replaced_seeds(rules, project_seeds)
    shutil.copytree(project_seeds, into, ignore=shutil.ignore_patterns("target", "logs"))
    for name, path in replaced.items():
        shutil.copyfile(path, into / f"{name}.csv")
    where = {str(into / f"{name}.csv"): str(path) for name, path in replaced.items()}
    where.update(
        {str(into / p.name): str(p) for p in project_seeds.glob("*.csv") if str(into / p.name) not in where}
    )
    problems = [Problem(where.get(p.file, p.file), p.line, p.message) for p in check_seeds(into)]
    if problems:
        raise RulesFileError(problems)
    return replaced


def _seed_columns(project_seeds: Path) -> dict[str, set[str]]:
    specs = yaml.safe_load((project_seeds / "_seeds.yml").read_text())["seeds"]
    return {s["name"]: set(s.get("config", {}).get("column_types", {})) for s in specs}


def _by_header(path: Path, columns: dict[str, set[str]]) -> str | None:
    with path.open(newline="") as handle:
        header = {h.strip() for h in next(csv.reader(handle), [])}
    matches = [name for name, names in columns.items() if names and names == header]
    return matches[0] if len(matches) == 1 else None
