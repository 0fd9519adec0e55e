#!/usr/bin/env python3
"""sipcred-convert on a 1M-user clear-text userdb, side by side with the Python script a
sysadmin would write (bench/convert_python.py) and with the raw cost of the hashes alone
(build/bench/convert_bench: MD5 + SHA-256 of every user, nothing else: one user at a time,
and with MD5 grouped as sipcred-convert does it). Issue 4 asks for at least 10x the script's
speed and at most 2x the raw hashing time. Prints medians.

    scripts/build && bench/convert_speed.py --users 1000000 --runs 5
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "../build")


def timed(args):
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="sipcred-convert-bench-")
    try:
        src, out = os.path.join(work, "users"), os.path.join(work, "out")
        with open(src, "wb") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_userdb.py"), "--users",
                            str(args.users), "--clrtxt"], stdout=f, check=True)
        tool = [os.path.join(BUILD, "tools/sipcred-convert"), src, "-o", out, "-q"]
        python = [sys.executable, os.path.join(HERE, "convert_python.py"), src, out]
        results = {"python script": [], "sipcred-convert": [], "sipcred-convert --threads 1": []}
        for _ in range(args.runs):
            results["python script"].append(timed(python))
            results["sipcred-convert"].append(timed(tool))
            results["sipcred-convert --threads 1"].append(timed(tool + ["--threads", "1"]))
        raw = json.loads(subprocess.run(
            [os.path.join(BUILD, "bench/convert_bench"), f"--userdb={src}",
             f"--benchmark_repetitions={args.runs}", "--benchmark_format=json"],
            capture_output=True, check=True, text=True).stdout)
        kinds = {"BM_RawHashes": "one at a time", "BM_RawHashesGrouped": "MD5 grouped"}
        for b in raw["benchmarks"]:
            if b.get("aggregate_name") == "median":
                family, threads = b["name"].split("/")[:2]
                results[f"raw hashes, {kinds[family]}, {threads} thread(s)"] = [
                    b["real_time"] / 1000]
        medians = {name: statistics.median(times) for name, times in results.items()}
        print(f"{args.users} clear-text users, {os.path.getsize(src) / 1e6:.0f} MB, "
              f"{args.runs} runs; medians:")
        for name, median in medians.items():
            print(f"  {name:<42} {median * 1000:8.0f} ms")
        tool_time = medians["sipcred-convert"]
        print(f"  speed-up over the python script: {medians['python script'] / tool_time:.1f}x")
        for kind in kinds.values():
            print(f"  sipcred-convert / raw hashes ({kind}, 2 threads): "
                  f"{tool_time / medians[f'raw hashes, {kind}, 2 thread(s)']:.2f}x")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
