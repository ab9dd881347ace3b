"""The modules a handler loads on its first call rather than at `import app`, declared here once.

`import app` is the entry of every Lambda, so it loads only what every request needs; request
schemas (pydantic), Stripe and the services of a few routes load when a handler first touches
them. A route module writes `from chalicelib.lazy import refunds` and calls `refunds.list_admin(...)`
as if it had imported the module: the first attribute read imports it (as Powertools'
LazyLoader). Each read goes to the module in `sys.modules`, so a test that patches the module
is seen through the name declared here.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule(types.ModuleType):
    """A stand-in for the module `name`, imported on the first attribute read."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy(name: str) -> Any:
    return LazyModule(name)


# Heavy libraries: Stripe when money moves, PyJWT (and cryptography) on the first signed-in request.
jwt = lazy("jwt")
stripe = lazy("stripe")
# boto3 builds the SNS, SES, SQS and SSM clients; DynamoDB goes through PynamoDB (botocore alone).
boto3 = lazy("boto3")

# Adapters that only some calls need: the PDF (fpdf2) of a yearly statement; and the adapters
# whose clients `adapters.clients.rebuild` drops, which import `adapters.clients` themselves.
statement_pdf = lazy("chalicelib.adapters.statement_pdf")
channels = lazy("chalicelib.adapters.channels")
payments = lazy("chalicelib.adapters.payments")
tables = lazy("chalicelib.adapters.tables")

# Powertools' batch processing (stream and queue consumers): about 90 ms of imports.
batches = lazy("chalicelib.adapters.batches")
# Babel (money and dates in the reader's locale): the notifier's alone.
formats = lazy("chalicelib.adapters.formats")

# Request bodies (pydantic) and the API document.
schemas = lazy("chalicelib.schemas")
openapi = lazy("chalicelib.openapi")

# What a film's edits and the profile's routes need, and a film's page does not: the contact and
# message rules, the domain events, the message bus and the outbox.
contacts = lazy("chalicelib.domain.contacts")
events = lazy("chalicelib.domain.events")
messagebus = lazy("chalicelib.services.messagebus")
outbox = lazy("chalicelib.services.outbox")

# Services that only some routes or one event handler need.
campaigns = lazy("chalicelib.services.campaigns")
card_setup = lazy("chalicelib.services.card_setup")
casting = lazy("chalicelib.services.casting")
credits = lazy("chalicelib.services.credits")
departures = lazy("chalicelib.services.departures")
dev_tokens = lazy("chalicelib.services.dev_tokens")
disputes = lazy("chalicelib.services.disputes")
distributions = lazy("chalicelib.services.distributions")
forum = lazy("chalicelib.services.forum")
funding = lazy("chalicelib.services.funding")
local_outbox = lazy("chalicelib.services.local_outbox")
milestones = lazy("chalicelib.services.milestones")
notifications = lazy("chalicelib.services.notifications")
payout_accounts = lazy("chalicelib.services.payout_accounts")
payouts = lazy("chalicelib.services.payouts")
perks = lazy("chalicelib.services.perks")
pledges = lazy("chalicelib.services.pledges")  # and the money services below it
privacy = lazy("chalicelib.services.privacy")
profiles = lazy("chalicelib.services.profiles")
reconciliation = lazy("chalicelib.services.reconciliation")
referrals = lazy("chalicelib.services.referrals")
refunds = lazy("chalicelib.services.refunds")
rights = lazy("chalicelib.services.rights")
royalty_runs = lazy("chalicelib.services.royalty_runs")
sessions = lazy("chalicelib.services.sessions")
simulation = lazy("chalicelib.services.simulation")
stats = lazy("chalicelib.services.stats")
statements = lazy("chalicelib.services.statements")
stripe_events = lazy("chalicelib.services.stripe_events")
updates = lazy("chalicelib.services.updates")
verification = lazy("chalicelib.services.verification")
yearly_statements = lazy("chalicelib.services.yearly_statements")
