"""`chalice local`, with one difference: every HTTP method reaches the app (TRACE, CONNECT,
QUERY...), which answers 405 in the API's error shape, instead of http.server's HTML 501 page
for the methods chalice does not list."""

from __future__ import annotations

import sys

from chalice import local
from chalice.cli import main



def _any_method(self: local.ChaliceRequestHandler, name: str):
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


local.ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]

if __name__ == "__main__":
    sys.argv[0] = "chalice"
    sys.exit(main())
