"""Deleting the Cognito user has the effect of `DELETE /me`.

Cognito has no trigger on user deletion (its Lambda triggers cover sign-up, sign-in and
messages), and the CloudTrail events of AdminDeleteUser / DeleteUser need a trail and may hide
the user name. So a daily schedule compares the users table with the pool: a user with a
profile, not erased, whose `sub` the pool no longer has — asked of the pool once more for that
one user before anything is done — is erased by the same service as `DELETE /me`
(services/privacy.py). A user still owed money (a balance, a payout on its way) is not erased:
`departed_at` records when the deletion was noticed, the ErasureHeld metric raises its alarm,
and the next runs try again until the money is paid out.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib import clock
from chalicelib.adapters.directory import CognitoDirectory
from chalicelib.adapters.tables.users import UserRecord
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.errors import Conflict
from chalicelib.observability import logger, metrics
from chalicelib.services import privacy


class Directory(Protocol):
    def subs(self) -> Any: ...

    def exists(self, sub: str) -> bool: ...


def user_directory() -> Directory | None:
    """The stage's Cognito user pool; None on the local stack (its tokens are signed locally)."""
    pool = settings().cognito_user_pool_id
    if not pool:
        return None
    return CognitoDirectory(pool)


def erase_departed(directory: Directory) -> dict[str, Any]:
    present = set(directory.subs())
    report: dict[str, Any] = {"checked": 0, "erased": [], "held": []}
    for user in UserRecord.scan(filter_condition=UserRecord.erased_at.does_not_exist()):
        report["checked"] += 1
        if user.user_id in present or directory.exists(user.user_id):
            continue
        try:
            privacy.erase(Caller(user_id=user.user_id))
        except Conflict as held:
            if held.code != "balance_outstanding":
                raise
            if not user.departed_at:
                user.update(actions=[UserRecord.departed_at.set(clock.iso())])
            report["held"].append(user.user_id)
            logger.warning("cognito user deleted while money is due: not erased yet",
                           extra={"user_id": user.user_id, "reason": str(held)})
            continue
        report["erased"].append(user.user_id)
    metrics.add_metric(name="ErasureHeld", unit="Count", value=len(report["held"]))
    metrics.add_metric(name="DepartedErased", unit="Count", value=len(report["erased"]))
    return report


def scheduled() -> dict[str, Any]:
    directory = user_directory()
    if directory is None:
        return {"skipped": "no user pool on this stage"}
    return erase_departed(directory)
