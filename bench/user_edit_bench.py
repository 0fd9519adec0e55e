#!/usr/bin/env python3
"""Whole-tool timing of sipcred-user on a large userdb, side by side with `cp` + `sync`
(issue 3: a single add or rotate is one pass, within 2x of copying the file; an import of
100k users into a 1M-user file is one pass too). Prints medians of several runs.

    scripts/build && bench/user_edit_bench.py --users 1000000 --runs 5
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "../build/tools/sipcred-user")


def timed(fn):
    # Every timed command starts with nothing left to flush from the one before.
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sh(*args, **kwargs):
    subprocess.run(args, check=True, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--import-users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default=None, help="work directory (default: a temp dir)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="sipcred-bench-", dir=args.dir)
    try:
        base = os.path.join(work, "base")
        with open(base, "wb") as out:
            sh(sys.executable, os.path.join(HERE, "gen_userdb.py"), "--users", str(args.users),
               stdout=out)
        db, copy, pw = (os.path.join(work, n) for n in ("db", "copy", "pw"))
        with open(pw, "w") as f:
            f.write("bench-password\n")
        # Half the import list is new users, half rotates existing ones.
        listing = os.path.join(work, "list.csv")
        with open(listing, "w") as f:
            f.write("identity,password\n")
            for i in range(args.import_users):
                user = f"user{i * 2}@sip{(i * 2) % 8}.example.org" if i % 2 else f"new{i}@bench.org"
                f.write(f"{user},pw{i}\n")
        size = os.path.getsize(base) / 1e6
        results = {"cp + sync": [], "add": [], "rotate": [], f"import {args.import_users}": []}
        for run in range(args.runs):
            shutil.copyfile(base, db)
            sh("sync")
            results["cp + sync"].append(timed(lambda: sh("sh", "-c", f"cp {base} {copy} && sync")))
            results["add"].append(timed(lambda: sh(TOOL, "-q", "add", db, f"bench{run}@x.org",
                                                   "--password-file", pw)))
            results["rotate"].append(timed(lambda: sh(TOOL, "-q", "rotate", db,
                                                      "user4242@sip2.example.org",
                                                      "--password-file", pw)))
            results[f"import {args.import_users}"].append(
                timed(lambda: sh(TOOL, "-q", "import", db, "--from", listing,
                                 stdout=subprocess.DEVNULL)))
        print(f"{args.users} users, {size:.0f} MB, {args.runs} runs; medians:")
        copy_median = statistics.median(results["cp + sync"])
        for name, times in results.items():
            median = statistics.median(times)
            print(f"  {name:<14} {median * 1000:8.0f} ms   {median / copy_median:4.2f}x cp+sync"
                  f"   (runs: {', '.join(f'{t * 1000:.0f}' for t in times)})")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
