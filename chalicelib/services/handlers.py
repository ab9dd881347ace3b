"""What follows each event of services/messagebus.py: one line per consequence."""

from __future__ import annotations

from typing import Any, Callable

from chalicelib.observability import metrics
from chalicelib.services import campaigns, perks, refunds
from chalicelib.services.messagebus import (CampaignDecided, FilmCreated, PaidAfterCancel, PaymentArrivedLate,
                                            PledgeCounted, StageChanged)

EVENT_HANDLERS: dict[type, list[Callable[[Any], Any]]] = {
    # A new film gets its default perk catalogue, in the transaction that creates it.
    FilmCreated: [lambda e: perks.add_defaults_in(e.write, e.film_id, e.now)],
    # A stage changed -> unlock the perks it opens (recorded with the change).
    StageChanged: [lambda e: perks.events_for_stage_change(e.film, e.stage)],
    # An admin's verdict closes the campaign like the schedule does (refunds included).
    CampaignDecided: [lambda e: campaigns.close(e.film_id, campaigns.Budget(campaigns.ADMIN_BUDGET_SECONDS),
                                                outcome=e.outcome)],
    # A pledge counted -> the PledgeCounted metric (the counters stream records goal_reached_at,
    # services/milestones.py: no request in the pledge's flow).
    PledgeCounted: [lambda e: metrics.add_metric(name="PledgeCounted", unit="Count", value=1)],
    # A payment arrived late -> refund it.
    PaymentArrivedLate: [lambda e: refunds.refund_late(e.pledge, e.payment_intent_id)],
    # Money on a pledge canceled meanwhile -> refund it.
    PaidAfterCancel: [lambda e: refunds.refund(e.pledge, e.payment_intent_id, refunds.PLEDGE_CANCELED)],
}
