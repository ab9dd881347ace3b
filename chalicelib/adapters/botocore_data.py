"""One botocore data loader for every DynamoDB connection of the process.

PynamoDB gives each model its own connection, and each connection its own botocore session
(one per thread). A new session reads and parses DynamoDB's service model, its endpoint rules
and the partitions again: a first request that touches five models (a pledge) paid for it
five times. The sessions stay separate (botocore does not share a session across threads);
only the loader is shared: what it holds is read-only once loaded, and a race merely loads a
document twice.

PynamoDB takes its sessions from `pynamodb.connection.base.get_session`; `share()` points that
name at `session` below. Done once, when chalicelib.adapters is imported.
"""

from __future__ import annotations

from functools import lru_cache

import botocore.loaders
import botocore.session
from pynamodb.connection import base


@lru_cache(maxsize=1)
def loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def session() -> botocore.session.Session:
    """A new botocore session that reads service models through the shared loader."""
    fresh = botocore.session.get_session()
    fresh.register_component("data_loader", loader())
    return fresh


def share() -> None:
    base.get_session = session
