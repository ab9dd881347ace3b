"""`make token SUB=alice GROUPS=admin,producer`: print a local (HS256) token."""

from __future__ import annotations

import argparse

from chalicelib.auth import issue_local_token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sub", required=True)
    parser.add_argument("--groups", default="")
    parser.add_argument("--email")
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args()
    groups = [g for g in args.groups.replace(" ", ",").split(",") if g]
    print(issue_local_token(args.sub, groups=groups, email=args.email, ttl_seconds=args.hours * 3600))


if __name__ == "__main__":
    main()
