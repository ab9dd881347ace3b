"""The profile summary of the benchmarks: py-spy's collapsed stacks sorted into waiting for a
service, waiting for another thread, and running."""

from bench import profiles

RAW = "\n".join([
    "run (devstack/pump.py:40);write_page (chalicelib/services/distributions.py:210);"
    "_make_api_call (botocore/client.py:1000);recv_into (socket.py:718) 60",
    "run (devstack/pump.py:40);join (threading.py:1119);_wait_for_tstate_lock (threading.py:1139) 25",
    "run (devstack/pump.py:40);allocate (chalicelib/domain/royalties.py:88) 10",
    "run (devstack/pump.py:40);write_page (chalicelib/services/distributions.py:210);"
    "serialize (pynamodb/attributes.py:300) 5",
    "",
    " 1",
])


def test_collapsed_stacks_are_parsed_with_their_counts():
    stacks = profiles.parse(RAW)
    assert sum(stacks.values()) == 100
    assert stacks[("run (devstack/pump.py:40)", "allocate (chalicelib/domain/royalties.py:88)")] == 10


def test_each_sample_is_a_network_wait_a_thread_wait_or_python_running():
    kinds = {profiles.kind(stack) for stack in profiles.parse(RAW)}
    assert kinds == {"network", "threads", "python"}
    assert profiles.kind(("f (x.py:1)", "select (selectors.py:415)")) == "network"
    assert profiles.kind(("f (x.py:1)", "get (queue.py:171)")) == "threads"


def test_the_summary_gives_shares_and_the_platforms_call_sites():
    lines = profiles.summary(profiles.Profile(profiles.parse(RAW), seconds=1.0))
    assert "waiting for a network answer 60%, waiting for another thread 25%, running Python (or in time.sleep) 15%" in lines[0]
    assert lines[1] == ("- network waits by the platform's call site: "
                        "`write_page (chalicelib/services/distributions.py:210)` 60%")
    assert lines[2].startswith("- running, by function: `allocate (chalicelib/domain/royalties.py:88)` 10%")


def test_an_empty_profile_says_so():
    assert profiles.summary(profiles.Profile()) == ["- no samples"]
