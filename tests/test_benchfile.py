"""BENCHMARKS.md's sections (bench/benchfile.py): a run rewrites its figures, not the notes beside them."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from benchfile import update_section  # noqa: E402 - bench/benchfile.py

BEFORE = """# Benchmarks

Intro.

## dbt build

Old intro.

### 1,000 people

| build | seconds |
| --- | ---: |
| full | 99.0 |

#### Stop 2: an A/B

| before | after |
| --- | --- |
| 10.0 | 8.0 |

#### Stop 1: tried and dropped

Slower.

### 10 people

| build | seconds |
| --- | ---: |
| full | 1.0 |

## Extract

Its own figures.
"""


def test_a_run_replaces_its_figures_and_keeps_the_notes_written_under_them(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(BEFORE)
    update_section(path, "dbt build", "New intro.", "1,000 people", "### 1,000 people\n\n| full | 42.0 |\n")
    text = path.read_text()

    assert "99.0" not in text and "Old intro." not in text
    part = text[text.index("### 1,000 people") : text.index("### 10 people")]
    # The new figures first, then each hand-written note, whole and in its order.
    assert part.index("| full | 42.0 |") < part.index("#### Stop 2: an A/B") < part.index("#### Stop 1")
    assert "| 10.0 | 8.0 |" in part and "Slower." in part
    # Every other part and section as it was.
    assert "### 10 people\n\n| build | seconds |\n| --- | ---: |\n| full | 1.0 |" in text
    assert text.rstrip().endswith("## Extract\n\nIts own figures.")
    assert text.count("#### Stop 2") == 1 and text.count("#### Stop 1") == 1


def test_a_note_the_run_writes_itself_is_replaced_not_repeated(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(BEFORE)
    note = "#### Stop 1: tried and dropped\n\nNow measured: 3 s slower.\n"
    body = f"### 1,000 people\n\n| full | 42.0 |\n\n{note}"
    update_section(path, "dbt build", "New intro.", "1,000 people", body)
    text = path.read_text()

    assert text.count("#### Stop 1: tried and dropped") == 1
    assert "Now measured: 3 s slower." in text and "\nSlower.\n" not in text
    assert "#### Stop 2: an A/B" in text


def test_a_first_run_creates_the_file_section_and_part(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    update_section(path, "dbt build", "Intro.", "1,000 people", "### 1,000 people\n\n| full | 42.0 |\n")
    update_section(path, "dbt build", "Intro.", "10 people", "### 10 people\n\n| full | 1.0 |\n")
    text = path.read_text()

    assert text.startswith("# Benchmarks")
    assert text.index("## dbt build") < text.index("### 1,000 people") < text.index("### 10 people")
    assert "| full | 42.0 |" in text and "| full | 1.0 |" in text
