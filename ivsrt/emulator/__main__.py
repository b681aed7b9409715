"""``python -m ivsrt.emulator`` (or ``ivsrt-emulator``): every option of `Emulator` as a flag,
``--help`` lists them.

Prints the endpoint URL on stdout, then serves until SIGINT (Ctrl-C) or SIGTERM, and stops
cleanly with exit status 0. A bad option, a port that cannot be bound or a ``--state-file``
that is not a snapshot is a one-line error with exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import gc
import ipaddress
import math
import os
import signal
import sys
from typing import Any

from ivsrt.emulator._delivery import check_event_target
from ivsrt.emulator._emulator import Emulator
from ivsrt.emulator.state.limits import parse_limits

__all__ = ["main"]

_PROG = "python -m ivsrt.emulator"


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0 to 65535)")
    return port


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def _parser(prog: str = _PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Run a local Amazon IVS Real-Time emulator until interrupted.",
    )
    env = os.environ.get
    p.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    p.add_argument("--port", type=_port, default=0, help="TCP port (default: a free one)")
    p.add_argument(
        "--seed", type=int, default=None, help="seed for ids, tokens and faults (default: none)"
    )
    p.add_argument("--access-key", default="test", help="the access key id accepted (test)")
    p.add_argument(
        "--secret-key",
        default=env("IVSRT_EMULATOR_SECRET_KEY", "test"),
        metavar="SECRET",
        help="its secret (default: $IVSRT_EMULATOR_SECRET_KEY, else test)",
    )
    p.add_argument("--account-id", default="123456789012", help="the account in every ARN")
    p.add_argument(
        "--region",
        default="us-west-2",
        help="default region, of Emulator.client (every region is served; ARNs take the "
        "region a request is signed for)",
    )
    p.add_argument(
        "--composition-start-delay",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="seconds a composition stays STARTING (default 5)",
    )
    p.add_argument(
        "--composition-stop-delay",
        type=_seconds,
        default=2.0,
        metavar="SECONDS",
        help="seconds a composition stays STOPPING (default 2)",
    )
    p.add_argument(
        "--limit",
        dest="limits",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a quota or memory bound (a field of ivsrt.emulator.Limits), e.g. "
        "--limit max_stages=500; repeatable",
    )
    p.add_argument(
        "--allow-host",
        dest="allowed_hosts",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name clients may address the emulator by (the Host header), besides IP "
        "addresses and localhost, e.g. a container name; repeatable",
    )
    p.add_argument(
        "--control-token",
        default=env("IVSRT_EMULATOR_CONTROL_TOKEN"),
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on control-surface requests (default: "
        "$IVSRT_EMULATOR_CONTROL_TOKEN, which keeps it out of process listings)",
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
    p.add_argument(
        "--event-target",
        metavar="URL",
        default=None,
        help="POST every EventBridge event the emulator emits to URL (a loopback http:// "
        "address, e.g. http://127.0.0.1:9000/events), as an EventBridge API destination",
    )
    p.add_argument(
        "--frozen-clock",
        action="store_true",
        help="start with the emulator clock frozen (advance it over the control surface)",
    )
    return p


def _emulator_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `Emulator` from the parsed flags (``ValueError`` for a bad
    ``--limit``)."""
    if args.event_target is not None:
        check_event_target(args.event_target)
    return {
        "host": args.host,
        "port": args.port,
        "seed": args.seed,
        "access_key": args.access_key,
        "secret_key": args.secret_key,
        "account_id": args.account_id,
        "region": args.region,
        "composition_start_delay": args.composition_start_delay,
        "composition_stop_delay": args.composition_stop_delay,
        "limits": parse_limits(args.limits),
        "allowed_hosts": args.allowed_hosts,
        "control_token": args.control_token or None,
        "state_file": args.state_file,
        "event_target": args.event_target,
        "frozen_clock": args.frozen_clock,
        "rate_limits": args.rate_limits,
        "rate_clock": args.rate_clock,
    }


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def _serve(emu: Emulator, control_token: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not _is_loopback(emu.host):
        guard = (
            "protected only by the control token"
            if control_token
            else "unauthenticated (see --control-token)"
        )
        print(
            f"warning: listening on {emu.host}, not loopback: the emulator's control surface "
            f"(/_emulator/) is {guard}; anyone who can reach this port can use the API with "
            "the test credentials. Never expose it beyond a trusted network.",
            file=sys.stderr,
            flush=True,
        )
    async with emu:
        print(emu.endpoint_url, flush=True)
        print(
            f"IVS Real-Time emulator at {emu.endpoint_url} (access key {emu.access_key!r}, "
            f"account {emu.account_id}, region {emu.region}); control surface at "
            f"{emu.control_url}; Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator from the command line (``argv``: the flags, default ``sys.argv``)."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    prog = name if name.startswith("ivsrt-emulator") else _PROG
    parser = _parser(prog)
    args = parser.parse_args(argv)
    try:
        options = _emulator_options(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        emu = Emulator(**options)
    except ValueError as exc:  # an --account-id, or a --state-file that is not a snapshot
        print(f"{prog}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        asyncio.run(_serve(emu, control_token=options["control_token"] is not None))
    except OSError as exc:
        print(
            f"{prog}: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    # The process ends now: spare the interpreter a last collection over every object it
    # imported (a few tenths of a second of CPU), so that Ctrl-C ends it at once.
    gc.freeze()


if __name__ == "__main__":
    main()
