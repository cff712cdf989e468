"""`make bench`: every benchmark, printed as a table and written as JSON under bench/results/."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inbound import run_inbound_benchmarks

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    """Run the benchmarks and write their figures."""
    figures = asyncio.run(run_inbound_benchmarks())
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"inbound-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nfigures written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
