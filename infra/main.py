"""CDK entry point (`cdk synth` / `cdk deploy`, see infra.mk): one stack per stage.

Context `stages` (comma-separated, default "dev,prod") selects the stacks to build.
Account/region: CDK_DEFAULT_ACCOUNT (unset = account-agnostic template) and
CDK_DEFAULT_REGION / AWS_REGION (default eu-west-3).
"""

from __future__ import annotations

import glob
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import aws_cdk as cdk  # noqa: E402

from infra import nag  # noqa: E402
from infra.settings import StageSettings  # noqa: E402
from infra.stack import CoprodStack  # noqa: E402

DEFAULT_REGION = "eu-west-3"


def region() -> str:
    return (os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION)


def build(app: cdk.App, stages: list[str], build_dir: str) -> dict[str, CoprodStack]:
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT") or None, region=region())
    return {stage: CoprodStack(app, f"coprod-{stage}", settings=StageSettings.from_context(
                app.node, stage), build_dir=build_dir, env=env)
            for stage in stages}


def main() -> None:
    app = cdk.App()
    stages = [x.strip() for x in str(app.node.try_get_context("stages") or "dev,prod").split(",")
              if x.strip()]
    # Chalice's construct writes its packages to <build_dir>/chalice.out (only needed while
    # synthesizing), and every change to the app is a new ~30 MB asset: keep this synth's.
    for entry in glob.glob(os.path.join(app.outdir, "asset.*")):
        shutil.rmtree(entry) if os.path.isdir(entry) else os.remove(entry)
    build(app, stages, app.outdir)
    cdk.Aspects.of(app).add(nag.checks())  # an unsuppressed error finding fails the synthesis
    app.synth()
    shutil.rmtree(os.path.join(app.outdir, "chalice.out"), ignore_errors=True)


if __name__ == "__main__":
    main()
