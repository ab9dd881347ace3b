"""`chalice local`, with two differences: every HTTP method reaches the app (TRACE, CONNECT,
QUERY...), which answers 405 in the API's error shape, instead of http.server's HTML 501 page
for the methods chalice does not list; and a client that resets its connection ends that
connection quietly. localstripe posts each webhook from a new aiohttp session and closes it
without reading the response body, so the kernel resets the keep-alive connection chalice
local is reading for the next request: http.server printed that ConnectionResetError as a
traceback, which read like a failure of the first `make run`."""

from __future__ import annotations

import sys

from chalice import local
from chalice.cli import main


def _any_method(self: local.ChaliceRequestHandler, name: str):
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


local.ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]

_handle_one_request = local.ChaliceRequestHandler.handle_one_request


def _until_the_client_hangs_up(self: local.ChaliceRequestHandler) -> None:
    try:
        _handle_one_request(self)
    except (ConnectionResetError, BrokenPipeError):
        self.close_connection = True  # the client is gone: nothing to answer, nothing failed


local.ChaliceRequestHandler.handle_one_request = _until_the_client_hangs_up  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.argv[0] = "chalice"
    sys.exit(main())
