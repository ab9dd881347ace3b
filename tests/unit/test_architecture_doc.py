"""ARCHITECTURE.md names the tests that hold each money invariant: every one it names exists."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`((?:tests/[\w/]+/)?\w+\.py)?(?:::(\w+)(?:\[[^\]]*\])?)?`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def _resolve(name: str) -> Path:
    if name.startswith("tests/"):
        return ROOT / name
    found = sorted((ROOT / "tests").rglob(name))
    assert len(found) == 1, f"ARCHITECTURE.md names {name}, which is {len(found)} files under tests/"
    return found[0]


def _references(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each `file.py::test`, `file.py` and `::test` (the last file named on the line)."""
    found = []
    for line in text.splitlines():
        current = None
        for match in REFERENCE.finditer(line):
            file, test = match.groups()
            if file is None and test is None:
                continue
            if file and (file.startswith("tests/") or file.startswith("test_")):
                current = file
            elif file:
                continue  # a module of the code, not a test
            if test and current is None:
                raise AssertionError(f"ARCHITECTURE.md names ::{test} without its file: {line}")
            found.append((current, test))
    return found


def test_every_test_the_architecture_names_exists():
    references = _references((ROOT / "ARCHITECTURE.md").read_text())
    assert len(references) >= 20, "the money invariants table names its tests"
    missing = [f"{file}::{test}" if test else file for file, test in references
               if not _resolve(file).is_file() or (test and test not in _tests_in(_resolve(file)))]
    assert missing == []


def test_a_renamed_test_would_be_found_missing():
    text = "| x | `tests/unit/test_architecture_doc.py::test_that_does_not_exist` |"
    (file, test), = _references(text)
    assert test not in _tests_in(_resolve(file))
