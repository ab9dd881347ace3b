"""Who may call what: every route x every kind of caller, as one table.

Each cell gives the status expected; every response is also searched for other people's
private data (e-mail, phone, pledge ids and client secrets), planted as unique canaries,
which must never show except where the table says so. Bad tokens (expired, badly signed,
`alg: none`) get 401 on every route that needs a signed-in caller.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

import app as application
from chalicelib import contract
from tests import factories, stripe_helpers as stripe

ROLES = ("anonymous", "stranger", "other_coproducer", "below_level", "eligible", "producer",
         "other_producer", "admin")
SIGNED_IN = ROLES[1:]


def cells(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return cells(status, anonymous=401, **overrides)


def managers(status: int, others: int = 403) -> dict[str, int]:
    """The film's producer and admins get `status`; other signed-in callers `others`."""
    return signed_in(others, producer=status, admin=status)


@dataclass
class World:
    film: str
    other_film: str
    closable: str  # an open film with nobody in it, for the admin's close
    callers: dict[str, Any]
    pledges: dict[str, str]  # role -> one of its pledge ids
    private: dict[str, set[str]] = field(default_factory=dict)  # role -> its private strings
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> unique (email, phone)


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # formatted with {film}, {other_film}, {eligible_pledge}
    expect: dict[str, int]
    body: Callable[[World, str], Any] | Any = None
    headers: dict[str, str] = field(default_factory=dict)
    sees_private_of: Callable[[str], tuple[str, ...]] = lambda role: ()  # roles whose private data it may see

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _profile(world: World, role: str) -> dict:
    email, phone = world.contacts[role]
    return {"display_name": role, "email": email, "phone": phone, "locale": "en", "notify_sms": True,
            "tax_details": {"full_name": _tax_name(world, role), "address_lines": ["1 rue du Cinéma"],
                            "postal_code": "75001", "city": "Paris", "country": "FR"}}


def _tax_name(world: World, role: str) -> str:
    """The tax details' name: private like the contacts (the owner's yearly statement shows it)."""
    return "Tax " + world.contacts[role][0].split("@")[0]


ROWS: tuple[Row, ...] = (
    Row("GET", "/films", cells(200)),
    Row("POST", "/films", signed_in(403, producer=201, other_producer=201, admin=201),
        body=lambda w, r: factories.film_body()),
    Row("GET", "/films/{film}", cells(200)),
    Row("GET", "/films/{film}/funding", cells(200)),
    Row("PATCH", "/films/{film}", managers(200), body={"synopsis": "Edited."}),
    Row("POST", "/films/{film}/pledges", signed_in(201), body={"amount_cents": 1_000},
        headers={"Idempotency-Key": "matrix"}),
    Row("GET", "/films/{film}/pledges", managers(200),
        sees_private_of=lambda role: ("below_level", "eligible") if role == "admin" else ()),
    Row("GET", "/me/pledges", signed_in(200)),
    Row("GET", "/me/pledges/{eligible_pledge}", signed_in(404, eligible=200)),
    Row("DELETE", "/me/pledges/{eligible_pledge}", signed_in(404, eligible=409)),
    Row("POST", "/webhooks/stripe", cells(400), body={"id": "evt_x"}),
    Row("GET", "/stats", cells(200)),
    Row("GET", "/me", signed_in(200)),
    Row("PUT", "/me", signed_in(200), body=_profile),
    Row("GET", "/me/films", signed_in(200)),
    Row("GET", "/openapi.json", cells(200)),
    Row("POST", "/films/{closable}/close", signed_in(403, admin=200)),
    Row("GET", "/admin/refunds", signed_in(403, admin=200)),
    Row("GET", "/admin/reconciliation", signed_in(403, admin=200)),
    Row("GET", "/admin/disputes", signed_in(403, admin=200)),
    Row("GET", "/films/{film}/milestones", cells(200)),
    Row("GET", "/unsubscribe", cells(400)),  # the signed token is the only credential
    Row("POST", "/unsubscribe", cells(400)),  # the same: without it, nothing is turned off
    Row("GET", "/admin/notifications", signed_in(403, admin=200)),
    Row("GET", "/dev/outbox", cells(200)),  # stage local only
    # Royalties (a period no other test uses, so the admin's run distributes this film only)
    Row("PUT", "/films/{film}/rights", signed_in(403, admin=200),
        body={"description": "2% of net receipts", "coproducer_rate_bps": 8000}),
    Row("POST", "/films/{film}/receipts", signed_in(403, admin=201),
        body={"period": "2019-03", "rights_received_cents": 100_000, "reference": "matrix"}),
    Row("GET", "/films/{film}/receipts", signed_in(403, admin=200)),
    Row("POST", "/admin/distributions", signed_in(403, admin=200), body={"period": "2019-03"}),
    Row("GET", "/films/{film}/distributions/2019-03", managers(200)),
    Row("GET", "/me/royalties", signed_in(200)),
    Row("GET", "/me/statements/2019-03", signed_in(200)),
    Row("GET", "/me/portfolio", signed_in(200)),
    Row("GET", "/films/{film}/simulation?rights_cents=100000&pledge_cents=2500", cells(200)),
    Row("GET", "/me/statements/yearly/2019", signed_in(200)),
    Row("PUT", "/me/payout-account", signed_in(410), body={"stripe_account_id": "acct_matrix"}),  # retired
    Row("GET", "/me/payout-account", signed_in(200)),
    Row("POST", "/me/payout-account/onboarding", signed_in(200)),
    Row("GET", "/dev/connect/onboarding", cells(400)),  # stage local only; the signed link is the credential
    Row("GET", "/admin/payouts", signed_in(403, admin=200)),
    # Community: word of mouth, updates from the film team, credits
    Row("GET", "/me/films/{film}/share", signed_in(403, below_level=200, eligible=200)),
    Row("POST", "/films/{film}/referral-tags", managers(201), body=lambda w, r: {"name": f"Tag of {r}"}),
    Row("GET", "/films/{film}/referral-tags", managers(200)),
    Row("GET", "/films/{film}/referrals", managers(200)),
    Row("GET", "/me/referrals", signed_in(200)),
    Row("POST", "/films/{film}/updates", managers(201),
        body={"title": "News", "body": "From the set.", "audience": "coproducers"}),
    Row("GET", "/films/{film}/updates", cells(200)),
    Row("PUT", "/me/films/{film}/credit", signed_in(403, below_level=200, eligible=200),
        body=lambda w, r: {"credited": True, "credit_name": r}),
    Row("GET", "/films/{film}/credits", cells(200)),
    Row("GET", "/films/{film}/credits?format=csv", managers(200)),
    Row("POST", "/me/setup-intents", signed_in(201)),
    Row("POST", "/dev/token", cells(200), body={"user_id": "matrix"}),  # stage local only
    # Contacts (after GET /dev/outbox, stage local's view of all that was sent: codes go to the canaries)
    Row("POST", "/me/verify/email", signed_in(200)),  # to the caller's own address only
    Row("POST", "/me/verify/sms/confirm", signed_in(409), body={"code": "000000"}),  # no SMS code asked for
    Row("POST", "/me/verify/email/confirm", signed_in(422), body={"code": "000000"}),  # a wrong code (1 in 10^6: right)
    Row("POST", "/me/verify/sms", signed_in(200)),  # to the caller's own phone only
    # Personal data: the export shows the caller's own only; erasure last (it empties the profiles).
    Row("GET", "/me/export", signed_in(200)),
    Row("DELETE", "/me", signed_in(200)),  # the 2019-03 royalties are paid out by then
)


def _pledge(api, film_id, caller, amount) -> str:
    response = api.post(f"/films/{film_id}/pledges", {"amount_cents": amount, "payment_method_id": stripe.card()},
                        caller=caller, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.data["status"] == "confirmed", response.data
    return response.data["pledge_id"]


@pytest.fixture(scope="module")
def world(api) -> World:
    producer, other_producer = factories.producer(), factories.producer()
    callers = {"anonymous": None, "stranger": factories.member(), "other_coproducer": factories.member(),
               "below_level": factories.member(), "eligible": factories.member(), "producer": producer,
               "other_producer": other_producer, "admin": factories.admin()}
    film = factories.make_film(producer, goal_cents=10_000_000)["film_id"]
    other_film = factories.make_film(other_producer, goal_cents=10_000_000)["film_id"]
    closable = factories.make_film(producer)["film_id"]
    w = World(film, other_film, closable, callers, pledges={})
    for number, role in enumerate(ROLES):
        canary = uuid.uuid4().hex[:10]
        w.contacts[role] = (f"{role}.{canary}@canary.example.org", f"+3361{int(canary, 16) % 10**7:07d}{number}")
    for role in SIGNED_IN:
        assert api.put("/me", _profile(w, role), caller=callers[role]).status_code == 200
        w.private[role] = {*w.contacts[role], _tax_name(w, role)}
    w.pledges["other_coproducer"] = _pledge(api, other_film, callers["other_coproducer"], 1_000)
    w.pledges["below_level"] = _pledge(api, film, callers["below_level"], 1_000)
    w.pledges["eligible"] = _pledge(api, film, callers["eligible"], 50_000)
    for role, pledge_id in w.pledges.items():
        secret = api.get(f"/me/pledges/{pledge_id}", caller=callers[role]).data["client_secret"]
        w.private[role] |= {pledge_id, secret}
    return w


def _call(api, world: World, row: Row, role: str, *, headers: dict[str, str] | None = None):
    path = row.path.format(film=world.film, other_film=world.other_film, closable=world.closable,
                           eligible_pledge=world.pledges["eligible"])
    body = row.body(world, role) if callable(row.body) else row.body
    all_headers = {**row.headers, **(headers or {})}
    if "Idempotency-Key" in all_headers:
        all_headers["Idempotency-Key"] = f"{all_headers['Idempotency-Key']}-{role}"
    response = api.call(row.method, path, body, caller=world.callers[role], headers=all_headers)
    response.path = path
    return response


def test_every_route_is_in_a_matrix():
    """This table, or the co-producer services' one (tests/api/test_perks_authorization.py),
    which runs the same eight kinds of caller against a film with perks, forum and sessions."""
    from tests.api import test_perks_authorization as services_matrix

    assert services_matrix.ROLES == ROLES_OF_SERVICES_MATRIX
    routes = {(method, path) for path, entries in application.app.routes.items() for method in entries}
    covered = {(row.method, _generic(row.path.replace("{closable}", "{film}").replace("{eligible_pledge}",
                                                                                         "{pledge_id}")))
               for row in ROWS}
    covered |= {(row.method, _generic(row.path)) for row in services_matrix.ROWS}
    assert routes - covered == set()


ROLES_OF_SERVICES_MATRIX = ("anonymous", "stranger", "other_coproducer", "below", "eligible", "producer",
                            "other_producer", "admin")


def _generic(path: str) -> str:
    path = path.split("?")[0]
    path = re.sub(r"/yearly/\d{4}$", "/yearly/{year}", path)
    path = path.replace("/2019-03", "/{period}")
    path = re.sub(r"^/me/verify/(email|sms)", "/me/verify/{channel}", path)
    for short, name in (("film", "film_id"), ("fresh_perk", "perk_id"), ("perk", "perk_id"),
                        ("thread", "thread_id"), ("own_post", "post_id"), ("post", "post_id"),
                        ("session", "session_id"), ("call", "call_id")):
        path = path.replace("{%s}" % short, "{%s}" % name)
    return path


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_each_caller_gets_the_expected_status_and_nobody_elses_private_data(api, world, row):
    seen = {}
    for role in ROLES:
        response = _call(api, world, row, role)
        seen[role] = response.status_code
        text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
        allowed = {role, *row.sees_private_of(role)}
        for owner, secrets in world.private.items():
            if owner in allowed:
                continue
            # an id the caller put in the path may be echoed back (404 names it): not a leak
            leaked = sorted(s for s in secrets if s and s in text and s not in response.path)
            assert not leaked, f"{row} as {role} shows {owner}'s private data {leaked}"
    assert seen == row.expect


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _bad_tokens(caller) -> dict[str, str]:
    good = factories.token(caller)
    header, payload, _ = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {
        "expired": factories.token(caller, ttl_seconds=-60),
        "badly_signed": f"{header}.{payload}.{_b64({'x': 1})}",
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize("kind", ["expired", "badly_signed", "alg_none", "garbage"])
def test_bad_tokens_are_refused_on_every_route_that_needs_a_caller(api, world, kind):
    token = _bad_tokens(world.callers["admin"])[kind]
    checked = 0
    for op in contract.OPERATIONS:
        if op.auth not in (contract.USER, contract.ADMIN, contract.OPTIONAL):
            continue
        path = re.sub(r"\{film_id\}", world.film, op.path)
        path = re.sub(r"\{[a-z_]+\}", "x1", path)
        response = api.call(op.method, path, {} if op.body else None,
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"})
        assert response.status_code == 401, (kind, op.method, op.path, response.data)
        assert response.data["error"]["code"] in ("token_expired", "invalid_token")
        checked += 1
    assert checked >= 30
