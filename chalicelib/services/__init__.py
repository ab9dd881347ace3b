"""Use cases: each takes a caller and validated input, applies domain rules, uses adapters."""
