from datetime import datetime, timezone

import pytest

from chalicelib.config import EU_EEA_CALLING_CODES
from chalicelib.domain import contacts, events, messages

EU = EU_EEA_CALLING_CODES.split(",")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("phone,allowed", [("+33612345678", True), ("+358401234567", True), ("+3547001234", True),
                                           ("+12025550123", False), ("+41791234567", False), ("+355691234567", False),
                                           ("33612345678", False), (None, False)])
def test_phone_allowed_by_calling_code(phone, allowed):
    assert contacts.phone_allowed(phone, EU) is allowed


def test_a_contact_is_verified_only_while_it_is_the_one_verified():
    assert contacts.is_verified("a@example.org", "a@example.org")
    assert not contacts.is_verified("b@example.org", "a@example.org")
    assert not contacts.is_verified(None, None) and not contacts.is_verified("", "")


def test_statements_go_by_email_only():
    assert contacts.channels_for(events.ROYALTY_STATEMENT) == ("email",)
    assert contacts.channels_for(events.CAMPAIGN_FUNDED) == ("email", "sms")


def test_the_hash_binds_user_channel_and_contact():
    h = contacts.code_hash(b"k", "u", "email", "a@example.org", "123456")
    assert h != contacts.code_hash(b"k", "u", "email", "b@example.org", "123456")
    assert h != contacts.code_hash(b"k", "v", "email", "a@example.org", "123456")
    assert h != contacts.code_hash(b"k2", "u", "email", "a@example.org", "123456")
    assert "123456" not in h


def test_check():
    good = contacts.code_hash(b"k", "u", "sms", "+33600000000", "111111")
    bad = contacts.code_hash(b"k", "u", "sms", "+33600000000", "222222")
    pending = contacts.Pending(good, "+33600000000", "2026-11-27T10:10:00.000000Z", 0)
    assert contacts.check(pending, "+33600000000", good, "2026-11-27T10:09:59.000000Z") == "right"
    assert contacts.check(pending, "+33600000000", bad, "2026-11-27T10:00:00.000000Z") == "wrong"
    assert contacts.check(pending, "+33600000000", good, "2026-11-27T10:10:00.000000Z") == "expired"
    assert contacts.check(pending, "+33611111111", good, "2026-11-27T10:00:00.000000Z") == "none"
    burned = contacts.Pending(good, "+33600000000", "2026-11-27T10:10:00.000000Z", 5)
    assert contacts.check(burned, "+33600000000", good, "2026-11-27T10:00:00.000000Z") == "none"


def test_three_codes_an_hour():
    sent = ["2026-11-27T09:00:00.000000Z", "2026-11-27T09:10:00.000000Z", "2026-11-27T09:20:00.000000Z"]
    assert contacts.recent_sends(sent, NOW) == sent[1:]
    assert contacts.next_send_at(sent[1:]) is None
    assert contacts.next_send_at([*sent[1:], "2026-11-27T09:59:00.000000Z"]) == "2026-11-27T10:10:00Z"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_code_messages_fit_one_gsm7_sms(locale):
    subject, text, sms = contacts.code_message(locale, "042917")
    assert "042917" in text and "042917" in sms and subject
    assert len(sms) <= 160 and messages.is_gsm7(sms)
