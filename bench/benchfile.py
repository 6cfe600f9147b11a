"""BENCHMARKS.md: each benchmark owns one `## Section`, with a `### Heading` per configuration it ran.

A run replaces its own `###` part (and the section's intro) and leaves every other part, and every
other section, as it was. Notes written by hand under a part, each under a `####` heading of its
own (an A/B of two commits, an experiment), stay: a run writes its figures above them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

HEADER = """# Benchmarks

Measured figures, one section per benchmark; each says the machine, the command and the date.
Every bench takes each timing as the median of `--runs` runs (at least 3), with every run's value
beside it, and says so in its command line; a figure that is not a median says so.
"""


def machine() -> str:
    """`AMD EPYC, 2 cores`: the CPU model as the kernel names it, and the cores Python may use."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        import platform

        model = platform.processor() or model
    return f"{model}, {os.cpu_count()} cores"


def _split(text: str, level: str) -> tuple[str, list[tuple[str, str]]]:
    """(what comes before the first heading of `level`, [(heading title, its whole text)])."""
    pattern = re.compile(rf"^{level} (.+)$", re.M)
    marks = list(pattern.finditer(text))
    if not marks:
        return text, []
    head = text[: marks[0].start()]
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        parts.append((m.group(1).strip(), text[m.start() : end]))
    return head, parts


def update_section(path: Path, section: str, intro: str, title: str, body: str) -> None:
    """Put `body` (starting with `### {title}`) into `## {section}` of the file, creating either."""
    text = path.read_text() if path.exists() else HEADER
    head, sections = _split(text, "##")
    current = dict(sections).get(section, f"## {section}\n")
    _, parts = _split(current, "###")
    previous = dict(parts).get(title)
    if previous is None:  # a new configuration goes last
        parts.append((title, body))
    else:  # in its place, its hand-written notes after the new figures
        _, notes = _split(previous, "####")
        written = {t for t, _ in _split(body, "####")[1]}
        body = "\n\n".join([body.strip()] + [n.strip() for t, n in notes if t not in written])
        parts = [(t, body if t == title else p) for t, p in parts]
    rebuilt = f"## {section}\n\n{intro.strip()}\n\n" + "\n\n".join(p.strip() for _, p in parts) + "\n"
    if section in dict(sections):
        sections = [(t, rebuilt if t == section else s) for t, s in sections]
    else:
        sections.append((section, rebuilt))
    out = head.rstrip() + "\n\n" + "\n\n".join(s.strip() for _, s in sections) + "\n"
    path.write_text(out)
