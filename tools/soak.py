"""``make soak``: the fault harness, longer and with fresh seeds.

Runs ``tests/faults`` and ``tests/server/test_faults_*.py`` with ``MOTCUA_SOAK_RUNS`` (crash runs, 500),
``MOTCUA_FAULT_EXAMPLES`` (Hypothesis examples per property, 1000) and ``MOTCUA_FAULT_SEED`` (a new random
seed each time unless given; printed first, so that a failure can be replayed with ``--seed``). Everything
stays on 127.0.0.1. Extra arguments after ``--`` go to pytest (e.g. ``-- -k crash -x``).

    python tools/soak.py                       # what `make soak` runs
    python tools/soak.py --seed 1234 -- -k network
    python tools/soak.py --repeat 3 --runs 100 # three rounds, each with its own seed
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The longest a single soak test may run before its threads' stacks are dumped.
SOAK_TEST_TIMEOUT_S = 3600
SUITES = [
    "tests/faults",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests/server").glob("test_faults_*.py")),
]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=500, help="crash runs (MOTCUA_SOAK_RUNS)")
    p.add_argument("--examples", type=int, default=1000, help="Hypothesis examples (MOTCUA_FAULT_EXAMPLES)")
    p.add_argument("--seed", type=int, help="seed (MOTCUA_FAULT_SEED); default: a new random one")
    p.add_argument("--repeat", type=int, default=1, help="rounds, each with its own seed")
    p.add_argument("pytest_args", nargs="*", help="after --: arguments for pytest")
    args = p.parse_args(argv)
    status = 0
    for round_no in range(args.repeat):
        seed = (
            args.seed if args.seed is not None and round_no == 0 else random.SystemRandom().randrange(2**31)
        )
        env = {
            **os.environ,
            "MOTCUA_SOAK_RUNS": str(args.runs),
            "MOTCUA_FAULT_EXAMPLES": str(args.examples),
            "MOTCUA_FAULT_SEED": str(seed),
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        }
        print(
            f"soak round {round_no + 1}/{args.repeat}: seed {seed}, {args.runs} crash runs, "
            f"{args.examples} examples per property (replay: python tools/soak.py --seed {seed})",
            flush=True,
        )
        started = time.monotonic()
        # A property at 1,000 examples runs for minutes: the suite's 120 s faulthandler dump (which reads
        # other threads' frames without the GIL, and can crash the run it reports on) is pushed back.
        cmd = [sys.executable, "-m", "pytest", *SUITES, "-q", "-rfEX", "-p", "no:cacheprovider", "-s"]
        cmd += ["-o", f"faulthandler_timeout={SOAK_TEST_TIMEOUT_S}", "--durations=10"]
        done = subprocess.run([*cmd, *args.pytest_args], cwd=ROOT, env=env, check=False)
        print(
            f"soak round {round_no + 1}: exit {done.returncode} in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
