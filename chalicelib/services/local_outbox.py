"""What the local stack has sent: the emails and SMS moto's server recorded (stage `local`).

moto keeps every SES message and every SMS published through SNS; its `/moto-api/data.json`
lists them. Elsewhere this does not exist (404).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import NotFound, Unavailable


def _emulator_data() -> dict[str, Any]:
    s = settings()
    try:
        with urllib.request.urlopen(f"{s.aws_endpoint}/moto-api/data.json", timeout=30) as response:
            return json.load(response)
    except OSError as exc:
        raise Unavailable("the local SNS/SES emulator does not answer") from exc


def messages(*, to: str | None = None, text: str | None = None, limit: int = 100) -> dict[str, Any]:
    """The last `limit` emails and SMS, newest last; `to` keeps one address or number, `text`
    those whose subject or body contains it (a film's title, say)."""
    s = settings()
    if not s.is_local or not s.aws_endpoint:
        raise NotFound("no local outbox on this stage")
    data = _emulator_data()
    emails = [{"to": address, "subject": m.get("subject"), "body": m.get("body"), "message_id": m.get("id")}
              for m in (data.get("ses") or {}).get("Message", [])
              for address in (m.get("destinations") or {}).get("ToAddresses", [])]
    sms = [{"to": m.get("phone_number"), "body": m.get("message"), "message_id": m.get("message_id")}
           for m in (data.get("sns") or {}).get("SMS", [])]
    if to:
        emails = [m for m in emails if m["to"] == to]
        sms = [m for m in sms if m["to"] == to]
    if text:
        emails = [m for m in emails if text in f"{m['subject']} {m['body']}"]
        sms = [m for m in sms if text in (m["body"] or "")]
    return {"emails": emails[-limit:], "sms": sms[-limit:], "email_count": len(emails), "sms_count": len(sms)}
