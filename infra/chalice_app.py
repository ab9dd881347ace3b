"""Chalice's CDK construct, with `chalice package` run in a child Python process.

`chalice.cdk.Chalice` packages in-process through `chalice.api.package_app`, which
imports app.py and *updates os.environ* with the stage's environment variables
(chalice/cli/factory.py `load_chalice_app`). In a CDK app that synthesizes dev and prod,
or in a pytest session that also runs the app's own tests, that leaks STAGE/TABLE_PREFIX
and a cached `chalicelib.config.settings()` from one stage into the next. A child process
keeps each packaging clean. Everything else (asset for deployment.zip, CfnInclude of the
SAM template) is the stock construct.

The construct writes its work files to `<cwd>/chalice.out`; here that is
`<build_dir>/chalice.out` whatever the caller's cwd.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from typing import Any

from chalice.cdk import Chalice

_PACKAGE = (
    "import json, sys\n"
    "from chalice.api import package_app\n"
    "package_app(**json.loads(sys.argv[1]))\n"
)


class PackagingError(RuntimeError):
    pass


@contextlib.contextmanager
def _cwd(path: str):
    old = os.getcwd()
    os.makedirs(path, exist_ok=True)
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def package(project_dir: str, output_dir: str, stage: str, config: dict[str, Any],
            region: str) -> None:
    """`chalice package` (SAM, JSON) of project_dir into output_dir, in a child process."""
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", region)  # chalice builds a boto3 session
    args = {"project_dir": project_dir, "output_dir": output_dir, "stage": stage,
            "chalice_config": config}
    proc = subprocess.run([sys.executable, "-c", _PACKAGE, json.dumps(args)], cwd=project_dir,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise PackagingError(f"chalice package failed for stage {stage!r}:\n"
                             f"{proc.stdout}\n{proc.stderr}")


class PackagedChalice(Chalice):
    """`chalice.cdk.Chalice` packaging stage `stage` out of process, work files in build_dir."""

    def __init__(self, scope, id: str, *, source_dir: str, stage: str,
                 stage_config: dict[str, Any], build_dir: str, region: str) -> None:
        self._coprod_stage = stage
        self._coprod_region = region
        with _cwd(build_dir):
            super().__init__(scope, id, source_dir=source_dir, stage_config=stage_config)
        #: The SAM template as `chalice package` wrote it (before CDK overrides).
        with open(os.path.join(self._sam_package_dir, "sam.json")) as f:
            self.packaged_template: dict[str, Any] = json.load(f)

    def _package_app(self) -> None:  # overrides the in-process packaging
        package(self.source_dir, self._sam_package_dir, self._coprod_stage,
                self.stage_config or {}, self._coprod_region)
