"""Compatibility: the community models moved to chalicelib/adapters/tables/community.py."""

from chalicelib.adapters.tables.community import *  # noqa: F401,F403
from chalicelib.adapters.tables.community import MODELS  # noqa: F401
