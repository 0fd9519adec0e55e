#!/usr/bin/env python3
"""Start-up time of the tools against a C++ program linked to libcrypto alone.

    bench/startup_speed.py [--runs 400] [--before OTHER_BUILD_DIR]

Compiles the anchor (tests the same compiler as the build: c++ -O2, iostream + OpenSSL_version),
then runs `sipcred-hash --version`, `sipcred --version` and the anchor in turns, run by run, so
that the load of the machine weighs on all alike, and prints the medians and the ratio to the
anchor. With --before, the same tools of another build (an older commit) run in the same turns.
Also prints the number of objects `ldd` lists for each binary.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ANCHOR = r"""
#include <openssl/crypto.h>
#include <iostream>
int main() { std::cout << "anchor " << OpenSSL_version(OPENSSL_VERSION) << '\n'; }
"""


def spawn_time(argv):
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, {}, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    os.waitpid(pid, 0)
    return time.perf_counter() - start


def objects(binary):
    return len(subprocess.run(["ldd", binary], capture_output=True, text=True,
                              check=True).stdout.strip().splitlines())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--build", default=os.path.join(HERE, "../build"))
    parser.add_argument("--before", help="another build directory, run side by side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        anchor = os.path.join(tmp, "anchor")
        with open(anchor + ".cpp", "w") as f:
            f.write(ANCHOR)
        subprocess.run(["c++", "-O2", anchor + ".cpp", "-o", anchor, "-lcrypto"], check=True)
        commands = {"C++ + libcrypto only": [anchor]}
        builds = [("", args.build)] + ([("before: ", args.before)] if args.before else [])
        for label, build in builds:
            for tool in ("sipcred-hash", "sipcred", "sipcred-migrate"):
                commands[f"{label}{tool} --version"] = [
                    os.path.abspath(os.path.join(build, "tools", tool)), "--version"]
        times = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(spawn_time(argv))
        base = statistics.median(times["C++ + libcrypto only"])
        print(f"{'command':<40} {'median':>9} {'ratio':>6} {'ldd objects':>11}")
        for name, argv in commands.items():
            median = statistics.median(times[name])
            print(f"{name:<40} {median * 1000:7.2f} ms {median / base:5.2f}x {objects(argv[0]):>11}")


if __name__ == "__main__":
    sys.exit(main())
