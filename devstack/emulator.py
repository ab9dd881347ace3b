"""moto's server (SNS, SES, SQS) without a log line per request: the local event pump polls
the notifications queue twice a second, which would drown the other logs of `make run`."""

from __future__ import annotations

import logging
import sys

from moto import server


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server.main(sys.argv[1:])


if __name__ == "__main__":
    main()
