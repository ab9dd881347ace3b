"""The web client's first page: the JavaScript a browser loads to show the film list (the
entry chunk of web/dist and every chunk it imports statically, from Vite's manifest),
gzipped, against a target of 60 kB. Baseline in the same run: Preact's own runtime (preact,
its hooks and signals, minified) gzipped the same way, so the ratio says how much the
client adds to the framework."""

from __future__ import annotations

import gzip
import os
import json
import subprocess
from datetime import date
from pathlib import Path

from bench.report import publish

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
TARGET_BYTES = 60 * 1024
BASELINE = ("preact/dist/preact.module.js", "preact/hooks/dist/hooks.module.js",
            "@preact/signals-core/dist/signals-core.module.js", "@preact/signals/dist/signals.module.js")


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def first_page_chunks(manifest: dict) -> list[str]:
    """The entry (index.html) and the closure of its static imports; dynamic imports excluded."""
    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    seen, todo = [], [entry]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.append(key)
        todo.extend(manifest[key].get("imports", []))
    return [manifest[key]["file"] for key in seen]


def measure() -> dict:
    subprocess.run(["npm", "run", "--silent", "build"], cwd=WEB, check=True, capture_output=True,
                   env={**os.environ, "PYTHON": str(ROOT / ".venv" / "bin" / "python")})
    dist = WEB / "dist"
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    first = first_page_chunks(manifest)
    first_bytes = {name: gzipped((dist / name).read_bytes()) for name in first}
    lazy = {chunk["file"]: gzipped((dist / chunk["file"]).read_bytes())
            for chunk in manifest.values() if chunk["file"].endswith(".js") and chunk["file"] not in first}
    baseline = sum(gzipped((WEB / "node_modules" / path).read_bytes()) for path in BASELINE)
    total = sum(first_bytes.values())
    return {"first_page_gzip_bytes": total, "first_page_chunks": first_bytes, "baseline_gzip_bytes": baseline,
            "ratio": total / baseline, "target_bytes": TARGET_BYTES, "within_target": total <= TARGET_BYTES,
            "lazy_chunks_gzip_bytes": dict(sorted(lazy.items(), key=lambda item: -item[1]))}


def report(results: dict) -> str:
    kb = lambda n: f"{n / 1024:.1f} kB"  # noqa: E731
    later = ", ".join(f"{name.rsplit('/', 1)[-1]} {kb(size)}"
                      for name, size in list(results["lazy_chunks_gzip_bytes"].items())[:3])
    lines = [
        f"## Web client (web/dist, {date.today().isoformat()})",
        "",
        "JavaScript of the first page (the film list): Vite's entry chunk and its static imports, gzip -9. "
        "Baseline in the same run: Preact, its hooks and signals, minified, gzipped the same way.",
        "",
        "| figure | measured | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| first page JavaScript, gzipped | {kb(results['first_page_gzip_bytes'])} "
        f"({len(results['first_page_chunks'])} chunk) | Preact runtime: {kb(results['baseline_gzip_bytes'])} | "
        f"{results['ratio']:.2f} | <= 60 kB ({'met' if results['within_target'] else 'MISSED'}) |",
        f"| largest chunks loaded later (on their route) | {later} | | | |",
    ]
    return "\n".join(lines)


def main() -> None:
    results = measure()
    publish("web-client", report(results), results)
    if not results["within_target"]:
        raise SystemExit(f"first page JavaScript {results['first_page_gzip_bytes']} B > {TARGET_BYTES} B")


if __name__ == "__main__":
    main()
