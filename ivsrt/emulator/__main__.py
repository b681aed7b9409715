"""``python -m ivsrt.emulator [--host 127.0.0.1] [--port N] [--seed N]``"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from ivsrt.emulator._emulator import Emulator


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
    return p


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(
        host=args.host,
        port=args.port,
        seed=args.seed,
        region=args.region,
        composition_start_delay=args.composition_start_delay,
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
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
