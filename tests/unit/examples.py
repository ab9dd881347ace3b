"""How many examples a property test draws: every one in `make test`, a tenth (at least 50)
in `make unit` (UNIT_QUICK=1), the tier run after each change. Same seeds (derandomize): the
quick run is the first tenth of the full one's search."""

import os


def examples(full: int) -> int:
    if os.environ.get("UNIT_QUICK") == "1":
        return max(50, full // 10)
    return full
