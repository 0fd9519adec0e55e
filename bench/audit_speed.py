#!/usr/bin/env python3
"""Word lists against stored HA1s (issue 19): sipcred-lint --audit against hashcat on the same
accounts and word list, and against the raw md5_many floor.

Generates ACCOUNTS accounts (user<i>@sip.example.org, random passwords, one in 10,000 taken
from the word list) as two userdbs, one of MD5 HA1s and one of SHA-256 HA1s, and a word list
of WORDS candidates; then, alternated run by run and timed whole (start to exit):
  sipcred-lint --audit USERDB --wordlist WORDS --json      (every core)
  hashcat -m 20 (md5($salt.$pass)) / -m 1420 (sha256($salt.$pass)) -a 0 --potfile-disable,
      the hashes as hash:salt with salt "user:realm:", on the CPU through pocl (every core)
and build/bench/audit_bench for the one-core rates: md5_search, the md5_many floor (the same
A1 strings built beforehand) and SHA-256. Both tools must find the same accounts. Prints
medians, and the rates per core (2 cores here).

hashcat is not a build or test dependency; install it for this bench only:
    apt-get install hashcat pocl-opencl-icd
    scripts/build
    bench/audit_speed.py --accounts 100000 --words 10000 --runs 3 [--hashcat-runs 3]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DOMAIN = "sip.example.org"


def generate(tmp, accounts, words):
    rng = random.Random(19)
    candidates = [f"pw{(w * 7919) % 100000000}x" for w in range(words)]
    with open(os.path.join(tmp, "words.txt"), "w") as f:
        f.write("\n".join(candidates) + "\n")
    weak = 0
    outputs = {}
    for name, function in (("md5", hashlib.md5), ("sha256", hashlib.sha256)):
        userdb = os.path.join(tmp, f"users-{name}")
        hashes = os.path.join(tmp, f"hashes-{name}.txt")
        with open(userdb, "w") as u, open(hashes, "w") as h:
            u.write("version:1\n")
            for i in range(accounts):
                salt = f"user{i}:{DOMAIN}:"
                if i % 10000 == 0:
                    password = candidates[(i // 10000 * 7) % words]
                else:
                    password = "S%012x" % rng.getrandbits(48)
                digest = function((salt + password).encode()).hexdigest()
                u.write(f"user{i}@{DOMAIN} {name}:{digest} ;\n")
                h.write(f"{digest}:{salt}\n")
        os.chmod(userdb, 0o600)
        outputs[name] = (userdb, hashes)
    weak = len(range(0, accounts, 10000))
    return os.path.join(tmp, "words.txt"), outputs, weak


def timed(command, **kwargs):
    start = time.perf_counter()
    r = subprocess.run(command, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, r


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100000)
    parser.add_argument("--words", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hashcat-runs", type=int, default=None,
                        help="hashcat runs (default: --runs); a run takes minutes")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    hashcat_runs = args.runs if args.hashcat_runs is None else args.hashcat_runs
    hashcat = shutil.which("hashcat")
    if not hashcat:
        print("hashcat is not installed: apt-get install hashcat pocl-opencl-icd "
              "(only the sipcred side is measured)", file=sys.stderr)
    lint = os.path.join(args.build, "tools/sipcred-lint")
    bench = os.path.join(args.build, "bench/audit_bench")
    cores = os.cpu_count()
    total = args.accounts * args.words
    with tempfile.TemporaryDirectory(prefix="sipcred-audit-bench-") as tmp:
        words, stores, weak = generate(tmp, args.accounts, args.words)
        results = {}
        for name, mode in (("md5", "20"), ("sha256", "1420")):
            userdb, hashes = stores[name]
            if hashcat:  # compiles and caches the kernel: not timed
                with open(hashes) as f, open(os.path.join(tmp, "warm.txt"), "w") as w:
                    w.write("".join(f.readline() for _ in range(10)))
                subprocess.run([hashcat, "-m", mode, "-a", "0", "--potfile-disable", "--quiet",
                                "-o", os.devnull, os.path.join(tmp, "warm.txt"), words],
                               capture_output=True)
            ours, theirs = [], []
            for run in range(max(args.runs, hashcat_runs)):
                if run < args.runs:
                    elapsed, r = timed([lint, "--audit", userdb, "--wordlist", words, "--json"])
                    found = json.loads(r.stdout)["summary"]["codes"].get("SC604", 0)
                    if r.returncode not in (0, 1) or found != weak:
                        sys.exit(f"sipcred-lint: exit {r.returncode}, {found} found of {weak}: "
                                 f"{r.stderr}")
                    ours.append(elapsed)
                if hashcat and run < hashcat_runs:
                    out = os.path.join(tmp, "cracked.txt")
                    if os.path.exists(out):
                        os.remove(out)
                    elapsed, r = timed([hashcat, "-m", mode, "-a", "0", "--potfile-disable",
                                        "--quiet", "-o", out, hashes, words])
                    cracked = sum(1 for _ in open(out)) if os.path.exists(out) else 0
                    if r.returncode not in (0, 1) or cracked != weak:
                        sys.exit(f"hashcat: exit {r.returncode}, {cracked} found of {weak}: "
                                 f"{r.stderr}")
                    theirs.append(elapsed)
            results[name] = (statistics.median(ours), statistics.median(theirs) if theirs else None)
        b = subprocess.run([bench, "--benchmark_repetitions=" + str(max(3, args.runs)),
                            "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                           capture_output=True, text=True, check=True)
        rates = {x["run_name"]: x["items_per_second"] for x in json.loads(b.stdout)["benchmarks"]
                 if x.get("aggregate_name") == "median"}

    print(f"{args.accounts} accounts x {args.words} words = {total / 1e9:.2f}G hashes per "
          f"algorithm, {cores} cores; medians of {args.runs} runs (hashcat: {hashcat_runs})")
    for name, (ours, theirs) in results.items():
        line = (f"  {name:6}  sipcred-lint --audit {ours:7.2f} s "
                f"({total / ours / cores / 1e6:6.1f} M/s per core)")
        if theirs:
            line += (f"   hashcat -a 0 {theirs:7.2f} s ({total / theirs / cores / 1e6:6.1f} M/s "
                     f"per core)   {theirs / ours:5.1f}x")
        print(line)
    print("  one core (audit_bench): md5_search "
          f"{rates['BM_Md5Search'] / 1e6:.1f} M/s, md5_many floor "
          f"{rates['BM_Md5ManyFloor'] / 1e6:.1f} M/s, SHA-256 {rates['BM_Sha256Search'] / 1e6:.1f}"
          " M/s")


if __name__ == "__main__":
    main()
