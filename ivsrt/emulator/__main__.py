"""``python -m ivsrt.emulator [--host 127.0.0.1] [--port N] [--seed N] [--allow-host NAME]
[--control-token TOKEN] [--state-file PATH]
[--limit NAME=VALUE] [--rate-limits off|service] [--rate-clock wall|emulator]``

Serves until SIGINT (Ctrl-C) or SIGTERM, then stops cleanly with exit status 0. A port that
cannot be bound is a one-line error with exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import sys

from ivsrt.emulator._emulator import Emulator
from ivsrt.emulator.state.limits import parse_limits


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ivsrt.emulator",
        description="Run a local Amazon IVS Real-Time emulator until interrupted.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    p.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    p.add_argument("--seed", type=int, default=None, help="seed for ids and faults")
    p.add_argument("--region", default="us-west-2", help="default region (any is accepted)")
    p.add_argument(
        "--composition-start-delay",
        type=float,
        default=5.0,
        help="seconds a composition stays STARTING (default 5)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name clients may address the emulator by (the Host header), besides IP "
        "addresses and localhost, e.g. a container name; repeatable",
    )
    p.add_argument(
        "--control-token",
        default=os.environ.get("IVSRT_EMULATOR_CONTROL_TOKEN"),
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on control-surface requests (default: "
        "$IVSRT_EMULATOR_CONTROL_TOKEN, which keeps it out of process listings)",
    )
    p.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a quota or memory bound (a field of ivsrt.emulator.Limits), e.g. "
        "--limit max_stages=500; repeatable",
    )
    p.add_argument(
        "--rate-limits",
        choices=("off", "service"),
        default=None,
        help="enforce the service's API call rate quotas (HTTP 429 ThrottlingException "
        "beyond them, counted in GET /_emulator/stats): 'service' or 'off' (the default)",
    )
    p.add_argument(
        "--rate-clock",
        choices=("wall", "emulator"),
        default=None,
        help="what the rate buckets refill on: 'wall' time (the default) or the emulator's "
        "clock (advanced through the control surface)",
    )
    p.add_argument(
        "--state-file",
        metavar="PATH",
        default=None,
        help="load the emulator's state from PATH at start (if it exists) and save it there "
        "at stop (a JSON snapshot, which holds stream keys: keep it private)",
    )
    return p


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(
        host=args.host,
        port=args.port,
        seed=args.seed,
        region=args.region,
        composition_start_delay=args.composition_start_delay,
        allowed_hosts=args.allow_host,
        control_token=args.control_token or None,
        state_file=args.state_file,
        limits=parse_limits(args.limit),
        rate_limits=args.rate_limits,
        rate_clock=args.rate_clock,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not _is_loopback(args.host):
        guard = (
            "protected only by the control token"
            if args.control_token
            else "unauthenticated (see --control-token)"
        )
        print(
            f"warning: listening on {args.host}, not loopback: the emulator's control surface "
            f"(/_emulator/) is {guard}; anyone who can reach this port can use the API with "
            "the test credentials. Never expose it beyond a trusted network.",
            file=sys.stderr,
            flush=True,
        )
    async with emu:
        print(emu.endpoint_url, flush=True)
        print(
            f"IVS Real-Time emulator at {emu.endpoint_url} (access key {emu.access_key!r}, "
            f"account {emu.account_id}); control surface at {emu.control_url}; "
            "Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        parse_limits(args.limit)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        asyncio.run(_serve(args))
    except ValueError as exc:  # a --state-file that is not a snapshot
        print(f"python -m ivsrt.emulator: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        print(
            f"python -m ivsrt.emulator: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
