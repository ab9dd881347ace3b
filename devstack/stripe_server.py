"""localstripe with its state where we say.

localstripe keeps its whole state in one fixed file (/tmp/localstripe.pickle) shared by
every instance on the machine, and rewrites it after every object it stores. Here the
state lives in `--state-file` (the data directory of `make run`), written once per
request, or only in memory when no file is given (tests): instances never see each
other's data.

localstripe ignores `Idempotency-Key`; Stripe answers a POST repeated with the same key with
the first answer. `idempotency` does the same here (in memory), so a retry after a request
the app gave up on (a timeout) meets the object the first one created, as it would on Stripe.
While the first request is still being handled, a repeat waits for its answer (Stripe
would answer 409 meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import socket
from pathlib import Path

from aiohttp import web
from localstripe import resources, server

DUMP_DELAY = 0.5  # seconds

_answers: dict[tuple[str, str], tuple[int, str, str]] = {}
_in_flight: dict[tuple[str, str], asyncio.Event] = {}


@web.middleware
async def idempotency(request: web.Request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    ident = (request.headers.get("Authorization", ""), key)
    while ident in _in_flight:
        await _in_flight[ident].wait()
    if ident in _answers:
        status, text, content_type = _answers[ident]
        return web.Response(status=status, text=text, content_type=content_type,
                            headers={"Idempotent-Replayed": "true"})
    _in_flight[ident] = asyncio.Event()
    try:
        response = await handler(request)
        if response.status < 500 and isinstance(response, web.Response) and response.text is not None:
            _answers[ident] = (response.status, response.text, response.content_type)
        return response
    finally:
        _in_flight.pop(ident).set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-file", type=Path)
    args = parser.parse_args()
    state: Path | None = args.state_file

    def load(self: resources.Store) -> None:
        if state is not None and state.exists():
            with state.open("rb") as handle:
                self.clear()
                self.update(pickle.load(handle))

    def write() -> None:
        pending["write"] = None
        tmp = state.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(dict(resources.store), handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(state)

    # The whole state is one pickle: writing it after every request costs O(state) each time
    # (a seed of hundreds of payments spent most of its time there). Requests coming close
    # together share one write, at most DUMP_DELAY later, and the server writes on its way out.
    pending: dict = {"write": None}

    def dump(self: resources.Store) -> None:
        if state is not None and pending["write"] is None:
            pending["write"] = asyncio.get_running_loop().call_later(DUMP_DELAY, write)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    # Written through the middleware's dump (coalesced above), not on every item.
    resources.Store.__setitem__ = dict.__setitem__  # type: ignore[assignment]
    resources.Store.__delitem__ = dict.__delitem__  # type: ignore[assignment]
    resources.store.try_load_from_disk()

    server.app.middlewares.insert(0, idempotency)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    try:
        server.web.run_app(server.app, sock=sock, access_log=None, print=None)
    finally:
        if pending["write"] is not None:
            pending["write"].cancel()
            write()


if __name__ == "__main__":
    main()
