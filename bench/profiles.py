"""Where a benchmark's time goes, for the rows whose target is not met: py-spy samples every
thread of this process (the local pump's workers included, and the samples where a thread
waits), and the samples are summarised in a few lines for BENCHMARKS.md.

A profile is taken in a run of its own, never in the run whose time is reported: sampling
100 times a second costs the measured process a little.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

RATE = 100  # samples a second, per thread
NETWORK_FILES = ("socket.py", "ssl.py", "selectors.py")
NETWORK_CALLS = ("recv_into", "recv", "readinto", "select", "poll", "_safe_read", "readline", "sendall")
THREAD_FILES = ("threading.py", "queue.py", "thread.py")  # joins, conditions, the pump's queue, futures
OWN_CODE = ("chalicelib/", "devstack/", "bench/")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]*):(?P<line>\d+)\)$")


@dataclass
class Profile:
    """The summed samples of one profiled block: `stacks` maps a stack (outermost first) to its count."""

    stacks: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())


def parse(raw: str) -> Counter:
    """py-spy's raw (collapsed) format: `frame;frame;...;leaf count` per line."""
    stacks: Counter = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack.strip() and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def _file(frame: str) -> str:
    match = _FRAME.match(frame)
    return match["file"] if match else ""


def _function(frame: str) -> str:
    match = _FRAME.match(frame)
    return match["function"] if match else frame


def kind(stack: tuple[str, ...]) -> str:
    """`network`: waiting for a service's answer; `threads`: waiting for another thread; `python`: running."""
    leaf = stack[-1]
    if _file(leaf).endswith(NETWORK_FILES) or _function(leaf).rsplit(".", 1)[-1] in NETWORK_CALLS:
        return "network"
    if _file(leaf).endswith(THREAD_FILES):
        return "threads"
    return "python"


def _own_frame(stack: tuple[str, ...]) -> str:
    """The innermost frame of the platform's own code: where a wait or a cost comes from."""
    for frame in reversed(stack):
        if any(part in _file(frame) for part in OWN_CODE):
            return frame
    return stack[-1]


def summary(profile: Profile, top: int = 5) -> list[str]:
    """A few Markdown bullet lines: the share of each kind of sample, then the top own-code call
    sites of the network waits and the functions that ran the most."""
    total = profile.samples
    if not total:
        return ["- no samples"]
    kinds: Counter = Counter()
    waits: Counter = Counter()
    running: Counter = Counter()
    for stack, count in profile.stacks.items():
        what = kind(stack)
        kinds[what] += count
        if what == "network":
            waits[_own_frame(stack)] += count
        elif what == "python":
            running[stack[-1]] += count

    def share(count: int) -> str:
        return f"{100 * count / total:.0f}%"

    def listed(counter: Counter) -> str:
        return "; ".join(f"`{frame}` {share(count)}" for frame, count in counter.most_common(top))

    lines = [f"- {total:,} samples of every thread over {profile.seconds:.1f} s (py-spy, {RATE}/s, idle included):"
             f" waiting for a network answer {share(kinds['network'])}, waiting for another thread"
             f" {share(kinds['threads'])}, running Python (or in time.sleep) {share(kinds['python'])}"]
    if waits:
        lines.append(f"- network waits by the platform's call site: {listed(waits)}")
    if running:
        lines.append(f"- running, by function: {listed(running)}")
    return lines


def available() -> bool:
    return _py_spy() is not None


def _py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


@contextmanager
def sampled() -> Iterator[Profile]:
    """Samples this process while the block runs; the Profile is filled when the block ends."""
    profile = Profile()
    executable = _py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed (requirements-dev.txt)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        spy = subprocess.Popen([executable, "record", "--idle", "--nonblocking", "--format", "raw",
                                "--rate", str(RATE), "--pid", str(os.getpid()), "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)  # py-spy attaches
        start = time.perf_counter()
        try:
            yield profile
        finally:
            profile.seconds = time.perf_counter() - start
            spy.send_signal(signal.SIGINT)
            _, errors = spy.communicate(timeout=60)
            if not out.exists():
                raise RuntimeError(f"py-spy wrote no samples: {errors.decode(errors='replace')[-500:]}")
            profile.stacks = Counter({stack: count for stack, count in parse(out.read_text()).items()
                                      if not any(__name__.replace(".", "/") in frame for frame in stack)})  # the wait to attach
