"""No module of the package hides behind a package of the same name (Python imports the
package, so such a module would be dead code that still looks maintained)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shadowed(top: Path, root: Path = ROOT) -> list[str]:
    return sorted(str(module.relative_to(root)) for module in top.rglob("*.py")
                  if (module.with_suffix("") / "__init__.py").is_file())


def test_no_module_is_shadowed_by_a_package_of_its_name():
    assert shadowed(ROOT / "chalicelib") == []


def test_a_shadowed_module_is_found(tmp_path):
    (tmp_path / "pkg" / "tables").mkdir(parents=True)
    (tmp_path / "pkg" / "tables" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "tables.py").write_text("")
    assert shadowed(tmp_path / "pkg", tmp_path) == ["pkg/tables.py"]
