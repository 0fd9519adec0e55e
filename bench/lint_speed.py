#!/usr/bin/env python3
"""Whole-tool lint speed (issue 6: a 1M-user userdb lints in under 1.5x its parse time).

Times `sipcred-lint --userdb FILE --format json` (read, parse, every cross-check, output) and
compares its median with the median of BM_ReadAndParseUserdb (read and parse, same file), the
two alternated run by run.

    scripts/build
    bench/lint_speed.py --users 1000000 --runs 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sipcred-lint-bench-") as tmp:
        users = os.path.join(tmp, "users")
        with open(users, "w") as out:
            subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_userdb.py"),
                            "--users", str(args.users)], stdout=out, check=True)
        os.chmod(users, 0o600)
        lint = os.path.join(args.build, "tools/sipcred-lint")
        bench = os.path.join(args.build, "bench/userdb_parse_bench")
        lint_times, parse_times = [], []
        # Alternated, so that the load of a shared machine weighs on both alike. The first
        # round only warms the page cache.
        for round_ in range(args.runs + 1):
            start = time.perf_counter()
            r = subprocess.run([lint, "--userdb", users, "--format", "json"],
                               stdout=subprocess.DEVNULL, check=False)
            elapsed = time.perf_counter() - start
            if r.returncode != 0:
                sys.exit(f"sipcred-lint exited {r.returncode}")
            b = subprocess.run([bench, f"--userdb={users}",
                                "--benchmark_filter=^BM_ReadAndParseUserdb/",
                                "--benchmark_min_time=0", "--benchmark_format=json"],
                               capture_output=True, text=True, check=True)
            if round_ > 0:
                lint_times.append(elapsed * 1000)
                parse_times.extend(x["real_time"] for x in json.loads(b.stdout)["benchmarks"])
        lint_ms = statistics.median(lint_times)
        parse_ms = statistics.median(parse_times)
        size = os.path.getsize(users) / 1e6
        print(f"{args.users} users, {size:.0f} MB, medians of {args.runs} runs")
        print(f"  read + parse (BM_ReadAndParseUserdb):      {parse_ms:8.1f} ms")
        print(f"  sipcred-lint --userdb FILE --format json:  {lint_ms:8.1f} ms")
        print(f"  ratio: {lint_ms / parse_ms:.2f}x (target < 1.5x)")


if __name__ == "__main__":
    main()
