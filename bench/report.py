"""BENCHMARKS.md is shared by every benchmark: each one rewrites only its own section,
between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, and leaves the others as they were."""

from __future__ import annotations

import os
import re
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
HEADER = """# Benchmarks

Written by `make bench` (bench/). Each figure is a ratio to a baseline measured in the same
run on the same engine (DynamoDB Local in memory, localstripe, moto), on a shared 2-core machine.
Each section is rewritten by its own benchmark module; the date says when it last ran, and
`make bench` stamps every section it writes with the same run id (time and commit), which the
summary below checks.
"""
RUN_VARIABLE = "BENCH_RUN"  # set by `make bench` for all its modules: one id per run


def run_id() -> str | None:
    return os.environ.get(RUN_VARIABLE) or None


def write_section(name: str, markdown: str, path: Path = PATH, *, first: bool = False) -> None:
    """`first`: a new section goes right after the file's header instead of at the end."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    stamp = f"\n\n_`make bench` run {run_id()}._" if run_id() else ""
    block = f"{start}\n{markdown.strip()}{stamp}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    if start not in text:  # a file from before sections: keep the header, drop the rest
        text = HEADER if "<!-- bench:" not in text else text
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    elif first and "<!-- bench:" in text:
        at = text.index("<!-- bench:")
        text = text[:at] + block + "\n\n" + text[at:]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def publish(name: str, markdown: str, results: dict) -> None:
    """Write the section, keep the raw figures in bench/results_<name>.json, echo them."""
    import json
    import sys

    write_section(name, markdown)
    results = {**results, "run": run_id()}
    (PATH.parent / "bench" / f"results_{name.replace('-', '_')}.json").write_text(json.dumps(results, indent=2) + "\n")
    json.dump(results, sys.stdout, indent=2)
    print()
