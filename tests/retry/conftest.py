"""Fixtures of the retry tests: fast retry policies. The AWS environment is isolated by
tests/conftest.py; the emulator fixtures (``ivs_emulator``) come from its pytest plugin."""

from __future__ import annotations

from ivsrt import RetryPolicy

FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, deadline=10.0)
"""Retries with millisecond backoff, so fault tests run quickly."""
