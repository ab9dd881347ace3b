"""`chalice local` as `make run` serves it (devstack/api_server.py): a client that closes its
connection abruptly is the end of that connection, not a traceback in the stack's output.

localstripe posts each webhook from a new aiohttp session and closes it without reading the
response body: the kernel then resets the keep-alive connection, which chalice local was
reading for the next request (the ConnectionResetError of the first `make run`)."""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import threading

from chalice import Chalice, local
from chalice.config import Config

import devstack.api_server  # noqa: F401  (patches chalice local's request handler)


def test_a_connection_reset_by_the_client_prints_no_traceback():
    app = Chalice(app_name="reset")

    @app.route("/webhooks/stripe", methods=["POST"])
    def webhook():
        return {"received": True}

    server = local.LocalDevServer(app, Config.create(), "127.0.0.1", 0).server
    port = server.server_address[1]
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", port))
            body = b'{"type": "payment_intent.succeeded"}'
            client.sendall(b"POST /webhooks/stripe HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            assert client.recv(12) == b"HTTP/1.1 200"  # the answer, then hang up without reading the rest
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, as the kernel does
            client.close()
        server.shutdown()
        server.server_close()  # waits for the request threads
        thread.join(5)
    assert "Traceback" not in errors.getvalue() and "ConnectionResetError" not in errors.getvalue()
    assert '"POST /webhooks/stripe HTTP/1.1" 200' in errors.getvalue()  # the request itself was served and logged
