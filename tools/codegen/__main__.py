"""``python -m tools.codegen [--out ROOT]``: regenerate ``ivsrt/_generated``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.codegen.config import SERVICES
from tools.codegen.generate import write_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[2],
        help="repository root to write into (default: this checkout)",
    )
    args = parser.parse_args()
    for config in SERVICES:
        for path in write_service(config, args.out):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
