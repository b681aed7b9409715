"""How many self-signed participant tokens ivsrt mints per second on one core.

``TokenSigner.mint`` checks the arguments with the rules of ``CreateParticipantToken``, signs an
ES384 JWT with PyJWT and builds the ``ParticipantToken`` resource; no network call. This script
measures it (and ``exchange`` and ``verify`` beside it) in one single-threaded process, for a
number of rounds; each figure is the median over the rounds of tokens per CPU second
(``time.process_time()``: one core's worth of work, whatever else the machine runs) and per wall
second. The ratio compares minting with ``CreateParticipantToken``'s published rate limit, 50
TPS per account and region: the most tokens per second the API can give however many cores ask.
Target: at least 2,000 tokens minted per second.

    .venv/bin/python bench/tokens.py            # full run (a few seconds)
    .venv/bin/python bench/tokens.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ivsrt  # the installed package: `pip install -e .`, as `make` does
from ivsrt import Stage
from ivsrt.models import StageEndpoints
from ivsrt.tokens import TokenSigner, generate_key_pair

API_TPS = 50.0
"""CreateParticipantToken's rate limit (IVS Real-Time service quotas: 50 TPS)."""
TARGET = 2000.0
STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/BenchStage01"
KEY_ARN = "arn:aws:ivs:us-west-2:123456789012:public-key/BenchKey0001"


def _stage() -> Stage:
    # A stage snapshot as Stage.get returns it; the client is never opened (mint sends nothing).
    client = ivsrt.Client(
        region="us-west-2",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="AKIDBENCHMARK",
        aws_secret_access_key="bench-secret",
    )
    return Stage(
        client=client,
        arn=STAGE_ARN,
        name="bench",
        endpoints=StageEndpoints(
            events="wss://global.events.live-video.net",
            whip="https://1a2b3c4d5e6f.global-bm.whip.live-video.net",
        ),
    )


def _rate(work: Callable[[], object], n: int) -> tuple[float, float]:
    """(per CPU second, per wall second) for ``n`` calls of ``work``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return n / max(cpu, 1e-9), n / max(wall, 1e-9)


def run(rounds: int, tokens: int) -> dict[str, Any]:
    keys = generate_key_pair()
    signer = TokenSigner(private_key=keys.private_pem, public_key_arn=KEY_ARN)
    stage = _stage()
    token = signer.mint(stage, user_id="bench")

    def mint() -> object:
        return signer.mint(stage, user_id="alice", attributes={"seat": "12"})

    def exchange() -> object:
        return signer.exchange(token, capabilities=["SUBSCRIBE"])

    def verify() -> object:
        return signer.verify(token)

    cases = {"mint": mint, "exchange": exchange, "verify": verify}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, work in cases.items():  # interleaved, so drift hits every case alike
            samples[name].append(_rate(work, tokens))
    rows = {
        name: {
            "per_cpu_s": statistics.median(s[0] for s in got),
            "per_wall_s": statistics.median(s[1] for s in got),
            "spread_cpu": (max(s[0] for s in got) - min(s[0] for s in got))
            / statistics.median(s[0] for s in got),
        }
        for name, got in samples.items()
    }
    minted = rows["mint"]["per_cpu_s"]
    return {
        "rounds": rounds,
        "tokens_per_round": tokens,
        "rows": rows,
        "ratio_to_api": minted / API_TPS,
        "target": TARGET,
        "target_met": minted >= TARGET,
    }


def report(results: dict[str, Any]) -> None:
    print(
        f"{results['rounds']} rounds x {results['tokens_per_round']} tokens, one process, "
        "one thread; medians over rounds"
    )
    print(f"{'operation':<10} {'per CPU s':>12} {'per wall s':>12} {'spread':>8}")
    for name, row in results["rows"].items():
        print(
            f"{name:<10} {row['per_cpu_s']:>12.0f} {row['per_wall_s']:>12.0f} "
            f"{row['spread_cpu']:>7.0%}"
        )
    minted = results["rows"]["mint"]["per_cpu_s"]
    print(f"tokens minted per second (one core): {minted:.0f}")
    print(f"ratio to CreateParticipantToken's {API_TPS:.0f} TPS: {results['ratio_to_api']:.1f}x")
    verdict = "met" if results["target_met"] else "NOT met"
    print(f"target >= {TARGET:.0f} tokens/s: {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, help="rounds (default 7; quick 1)")
    parser.add_argument("--tokens", type=int, help="tokens per round (default 2000; quick 50)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 7)
    tokens = args.tokens or (50 if args.quick else 2000)
    results = run(rounds, tokens)
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 1 if args.check and not results["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
