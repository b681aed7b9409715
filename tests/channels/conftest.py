"""Fixtures of the channel-call tests: the typed-layer fixtures (a
recording server on 127.0.0.1, an ivsrt client pointed at it), reused as they are."""

from __future__ import annotations

from tests.typed.conftest import client, server

__all__ = ["client", "server"]
