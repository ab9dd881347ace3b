"""`make outbox`: the emails and SMS the local stack has sent (moto's server keeps them)."""

from __future__ import annotations

import argparse
import json
import urllib.parse
import urllib.request

from devstack.services import Ports


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", help="one email address or phone number")
    parser.add_argument("--q", help="only messages whose subject or text contains this")
    parser.add_argument("--full", action="store_true", help="print the email bodies too")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{Ports.from_env().api}/dev/outbox"
    query = {name: value for name, value in (("to", args.to), ("q", args.q)) if value}
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, timeout=30) as response:
        sent = json.load(response)
    print(f"{sent['email_count']} emails, {sent['sms_count']} SMS sent (the last {len(sent['emails'])} "
          f"and {len(sent['sms'])} below)")
    for email in sent["emails"]:
        print(f"email  {email['to']:<32} {email['subject']}")
        if args.full:
            print(email["body"], "\n")
    for sms in sent["sms"]:
        print(f"sms    {sms['to']:<32} {sms['body']}")


if __name__ == "__main__":
    main()
