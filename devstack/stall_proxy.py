"""A TCP proxy that can stall or cut a dependency, for fault-injection tests and benchmarks.

Put it between the app and a local engine (DynamoDB Local, localstripe) and point the app's
endpoint at `proxy.url`. It forwards bytes both ways until told otherwise:

- `stall()`: like a paused process (SIGSTOP). Connections still open (the kernel would
  accept them), bytes sent are held, nothing answers. `resume()` forwards what was held,
  so a request the app gave up on may still land afterwards, as it would on a real pause.
- `cut()`: every open connection is closed and new ones are closed at once, until `resume()`.

It only touches its own sockets, so the engines behind it stay shared with other tests.
"""

from __future__ import annotations

import socket
import threading
from typing import Callable

CHUNK = 65536


class StallProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._cut = False
        self._closed = False
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, name=f"stall-proxy-{self.port}", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control ---------------------------------------------------------------------------

    def stall(self) -> None:
        self._flowing.clear()

    def cut(self) -> None:
        self._cut = True
        self._close_all()

    def resume(self) -> None:
        self._cut = False
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        try:
            self._listener.close()
        finally:
            self._close_all()

    def __enter__(self) -> "StallProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- forwarding ------------------------------------------------------------------------

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._sockets.update(socks)

    def _close_all(self) -> None:
        with self._lock:
            socks, self._sockets = list(self._sockets), set()
        for sock in socks:
            _close(sock)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut:
                _close(client)
                continue
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        self._track(client)
        try:
            upstream = socket.create_connection(self.target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            _close(client)
            return
        self._track(upstream)
        link = _Link(client, upstream)
        threading.Thread(target=self._pump, args=(client, upstream, link), daemon=True).start()
        self._pump(upstream, client, link)

    def _pump(self, source: socket.socket, sink: socket.socket, link: "_Link") -> None:
        """Forward until `source` ends (then end `sink`'s writing side only: what was sent
        is still answered, as a half-closed connection would be) or a socket fails."""
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    link.done()
                    return
                self._flowing.wait()  # stalled: hold the bytes until resumed
                if self._closed:
                    break
                sink.sendall(data)
        except OSError:
            pass
        link.close()


class _Link:
    """Both sockets of one proxied connection: closed when both directions ended, or one failed."""

    def __init__(self, *socks: socket.socket):
        self.socks = socks
        self._ended = 0
        self._lock = threading.Lock()

    def done(self) -> None:
        with self._lock:
            self._ended += 1
            last = self._ended == 2
        if last:
            self.close()

    def close(self) -> None:
        for sock in self.socks:
            _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def timed(call: Callable[[], object]) -> tuple[object, float]:
    """(what `call` returned, seconds it took): for answer-time bounds and benchmarks."""
    import time

    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started
