"""Bulk writes with several BatchWriteItem calls in flight: every item written, unprocessed
ones asked again, `after_call` once per call in the items' order, and a failure stops the run."""

from __future__ import annotations

import threading

import pytest

from chalicelib.adapters import bulk


class Client:
    """A stand-in for the DynamoDB client: records what is written and the most calls at once;
    `gate` makes the first two calls wait for each other (they must be in flight together),
    `unprocessed` hands back the last item of a call the first time it is sent, `fail_at`
    makes the call holding that item fail."""

    def __init__(self, *, unprocessed: bool = False, fail_at: str | None = None, gate: bool = False):
        self.written: list[str] = []
        self.running = self.most = 0
        self.lock = threading.Lock()
        self.gate = threading.Barrier(2, timeout=5) if gate else None
        self.unprocessed, self.fail_at, self.returned = unprocessed, fail_at, set()

    def batch_write_item(self, RequestItems):  # noqa: N803 (botocore's name)
        ((name, requests),) = RequestItems.items()
        keys = [r["PutRequest"]["Item"]["k"]["S"] for r in requests]
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if self.gate and keys[0] in ("i00000", "i00025"):  # the first two calls wait for each other
                self.gate.wait()
            if self.fail_at in keys:
                raise RuntimeError("DynamoDB said no")
            back = [r for r in requests[-1:] if self.unprocessed and keys[-1] not in self.returned]
            with self.lock:
                self.returned.update(r["PutRequest"]["Item"]["k"]["S"] for r in back)
                self.written += [k for k in keys if not any(k == b["PutRequest"]["Item"]["k"]["S"] for b in back)]
            return {"UnprocessedItems": {name: back}} if back else {}
        finally:
            with self.lock:
                self.running -= 1


def items(count: int) -> list[dict]:
    return [{"k": {"S": f"i{i:05d}"}} for i in range(count)]


@pytest.fixture
def client(monkeypatch):
    def use(**options):
        fake = Client(**options)
        monkeypatch.setattr(bulk, "_client", lambda: fake)
        monkeypatch.setattr(bulk.retry, "pause", lambda *_, **__: 0.0)
        return fake
    return use


def test_calls_overlap_and_every_item_is_written_once(client):
    fake = client(gate=True)
    done: list[int] = []
    bulk.put_all("royalty_ledger", items(260), after_call=lambda: done.append(len(done)))
    assert sorted(fake.written) == [f"i{i:05d}" for i in range(260)]
    assert fake.most >= 2  # the first two calls were in flight together
    assert len(done) == 11  # once per call of 25 (the last one holds 10)


def test_unprocessed_items_are_sent_again(client):
    fake = client(unprocessed=True)
    bulk.put_all("royalty_ledger", items(100))
    assert sorted(fake.written) == [f"i{i:05d}" for i in range(100)]
    assert len(fake.returned) == 4  # each call had one handed back, written on its second try


def test_after_call_follows_the_items_order_and_each_call_is_written_before_it(client):
    fake = client()
    seen: list[int] = []
    bulk.put_all("royalty_ledger", items(200), after_call=lambda: seen.append(len(set(fake.written))))
    assert len(seen) == 8
    assert all(written >= 25 * (n + 1) for n, written in enumerate(seen))


def test_a_failed_call_stops_the_run_and_raises(client):
    fake = client(fail_at="i00130")
    calls: list[str] = []
    with pytest.raises(RuntimeError, match="said no"):
        bulk.put_all("royalty_ledger", items(1000), after_call=lambda: calls.append("after"))
    assert len(calls) <= 5  # no after_call for the failed call (the 6th) or any later one
    assert len(fake.written) < 1000 - 25  # the rest was never sent
    assert "i00130" not in fake.written


def test_one_in_flight_writes_in_turn(client):
    fake = client()
    bulk.put_all("royalty_ledger", items(60), in_flight=1)
    assert fake.most == 1 and fake.written == [f"i{i:05d}" for i in range(60)]


def test_groups_are_never_mixed_in_a_call_and_each_ends_after_its_own_writes(client):
    fake = client()
    groups = [items(30)[:30], [], [{"k": {"S": f"g{i:05d}"}} for i in range(5)], items(60)[30:60]]
    events: list[tuple[str, int]] = []

    def after_group(number: int) -> None:
        events.append(("group", number))
        mine = {it["k"]["S"] for it in groups[number]}
        assert mine <= set(fake.written)  # every item of the group is written before it ends

    bulk.put_groups("royalty_ledger", groups, after_call=lambda: events.append(("call", len(fake.written))),
                    after_group=after_group)
    assert [e for e in events if e[0] == "group"] == [("group", 0), ("group", 1), ("group", 2), ("group", 3)]
    assert sum(1 for e in events if e[0] == "call") == 5  # 25 + 5, nothing for the empty group, 5, 25 + 5
    assert sorted(fake.written) == sorted(it["k"]["S"] for group in groups for it in group)
