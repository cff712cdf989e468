"""`make bench`: every benchmark, printed as a table and written as JSON under bench/results/."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

# Run as a script, so this folder is on sys.path and its modules import by name.
from campaign import run_campaign_benchmark
from contacts_import import run_import_benchmark
from dashboard import DIST, run_dashboard_benchmark
from inbound import run_inbound_benchmarks
from outbound import run_outbound_benchmarks

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    """Run the benchmarks and write their figures."""
    _write("inbound", asyncio.run(run_inbound_benchmarks()))
    _write("outbound", asyncio.run(run_outbound_benchmarks()))
    _write("contacts-import", asyncio.run(run_import_benchmark()))
    _write("campaign", asyncio.run(run_campaign_benchmark()))
    if (DIST / "index.html").exists():
        dashboard = asyncio.run(run_dashboard_benchmark())
        for key, value in dashboard.items():
            print(f"    {key}  {value}")
        _write("dashboard", dashboard)
    else:
        print("dashboard not built (make web): its benchmark is skipped")
    return 0


def _write(name: str, figures: dict[str, object]) -> None:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {out}\n")


if __name__ == "__main__":
    raise SystemExit(main())
