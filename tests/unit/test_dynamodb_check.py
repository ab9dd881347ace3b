"""The set-up's check of DynamoDB Local's install finds a library the jar's manifest names but the disk lacks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from devstack import dynamodb_check


def _jar(folder: Path, class_path: str) -> Path:
    jar = folder / "DynamoDBLocal.jar"
    # Manifest lines fold at 72 bytes with a leading space, as the real jar's do.
    folded = "Class-Path: " + class_path
    lines = [folded[:70]] + [" " + folded[i:i + 69] for i in range(70, len(folded), 69)]
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n" + "\r\n".join(lines) + "\r\n")
    return jar


def test_every_library_present_is_clean(tmp_path):
    (tmp_path / "DynamoDBLocal_lib").mkdir()
    names = [f"DynamoDBLocal_lib/AwsJavaSdk-Core-Part{i}-2.0.jar" for i in range(6)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert dynamodb_check.missing(_jar(tmp_path, " ".join(names))) == []


def test_a_missing_library_is_named_even_across_folded_lines(tmp_path):
    (tmp_path / "DynamoDBLocal_lib").mkdir()
    names = [f"DynamoDBLocal_lib/AwsJavaSdk-Core-Part{i}-2.0.jar" for i in range(6)]
    for name in names[:-1]:
        (tmp_path / name).write_bytes(b"")
    assert dynamodb_check.missing(_jar(tmp_path, " ".join(names))) == [names[-1]]
