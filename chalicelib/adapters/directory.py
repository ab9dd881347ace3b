"""The user directory: who still has an account in the Cognito user pool (by `sub`, which is the
platform's user id). Read only: the platform never creates or deletes Cognito users."""

from __future__ import annotations

from typing import Any, Iterator

from chalicelib.adapters.clients import aws_client


class CognitoDirectory:
    def __init__(self, user_pool_id: str, client: Any | None = None):
        self.user_pool_id = user_pool_id
        self.client = client or aws_client("cognito-idp")

    def subs(self) -> Iterator[str]:
        """The `sub` of every user of the pool, a page (60) at a time."""
        pages = self.client.get_paginator("list_users").paginate(
            UserPoolId=self.user_pool_id, AttributesToGet=["sub"], PaginationConfig={"PageSize": 60})
        for page in pages:
            for user in page["Users"]:
                for attribute in user.get("Attributes", []):
                    if attribute["Name"] == "sub":
                        yield attribute["Value"]

    def exists(self, sub: str) -> bool:
        """Asked of the pool for this one user (a listing may be cut short; an erasure may not)."""
        if '"' in sub or "\\" in sub:
            raise ValueError(f"not a Cognito sub: {sub!r}")
        found = self.client.list_users(UserPoolId=self.user_pool_id, Filter=f'sub = "{sub}"', Limit=1)
        return bool(found["Users"])
