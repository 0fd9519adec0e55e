#!/usr/bin/env python3
"""sipcred-user on a 1M-account Flexisip database, side by side with its anchors (issue 17):
- one `add`, start-up included, against the same INSERTs typed into `sqlite3` / `psql` by hand
  (one transaction: the account, its MD5 and SHA-256 rows);
- an `import` of 100k users (half new, half rotated) into the 1M database, against
  `sipcred-migrate` of the same 100k into an empty one.
SQLite always; PostgreSQL and MariaDB (servers the script starts on loopback) with --postgresql,
--mariadb.

    scripts/build && bench/user_sql_speed.py --users 1000000 --runs 5 [--postgresql] [--mariadb]
"""
import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "build", "tools")
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))


def timed(command, **kwargs):
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def tool(name):
    return os.path.join(TOOLS, name)


def hand_insert(user):
    """The statements an administrator types for one account, hashes computed beforehand."""
    md5 = hashlib.md5(f"{user}:bench.org:pw".encode()).hexdigest()
    sha = hashlib.sha256(f"{user}:bench.org:pw".encode()).hexdigest()
    return (f"BEGIN; INSERT INTO accounts (username, domain, activated) VALUES "
            f"('{user}', 'bench.org', TRUE); "
            f"INSERT INTO passwords (account_id, password, algorithm) SELECT id, '{md5}', 'MD5' "
            f"FROM accounts WHERE username = '{user}' AND domain = 'bench.org'; "
            f"INSERT INTO passwords (account_id, password, algorithm) SELECT id, '{sha}', "
            f"'SHA-256' FROM accounts WHERE username = '{user}' AND domain = 'bench.org'; "
            "COMMIT;")


def write_list(path, count, tag):
    """Half new users, half users of the generated userdb (rotated)."""
    with open(path, "w") as f:
        f.write("identity,password\n")
        for i in range(count):
            user = f"user{i * 2}@sip{(i * 2) % 8}.example.org" if i % 2 else f"{tag}{i}@bench.org"
            f.write(f"{user},pw{i}\n")


def sqlite_runs(userdb, work, runs, import_users):
    base = os.path.join(work, "base.db")
    subprocess.run([tool("sipcred-migrate"), "-q", "--no-config", userdb, f"sqlite3://db={base}",
                    "--create-schema"], check=True)
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write("pw\n")
    listing = os.path.join(work, "list.csv")
    write_list(listing, import_users, "new")
    results = {"sipcred-user add": [], "sqlite3 INSERTs": [],
               f"sipcred-user import {import_users}": [],
               f"migrate {import_users} into empty": []}
    db = os.path.join(work, "db.db")
    shutil.copy(base, db)
    for run in range(runs):
        results["sipcred-user add"].append(timed(
            [tool("sipcred-user"), "-q", "add", f"sqlite3://db={db}", f"tool{run}@bench.org",
             "--password-file", pw]))
        results["sqlite3 INSERTs"].append(timed(["sqlite3", db, hand_insert(f"hand{run}")]))
    for run in range(runs):
        shutil.copy(base, db)
        results[f"sipcred-user import {import_users}"].append(timed(
            [tool("sipcred-user"), "-q", "import", f"sqlite3://db={db}", "--from", listing]))
        empty = os.path.join(work, f"empty{run}.db")
        results[f"migrate {import_users} into empty"].append(timed(
            [tool("sipcred-migrate"), "-q", "--no-config", f"csv:{listing}",
             f"sqlite3://db={empty}", "--create-schema"]))
        os.unlink(empty)
    return results


def server_runs(kind, userdb, work, runs, import_users):
    """PostgreSQL or MariaDB, a server started on loopback in a temporary directory."""
    from servers import MariaDB, PostgreSQL
    server = PostgreSQL() if kind == "postgresql" else MariaDB()
    pw = os.path.join(work, "pw")
    if kind == "postgresql":
        client = ["psql", "-q", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres",
                  "-d", "sipcred", "-v", "ON_ERROR_STOP=1", "-c"]
    else:
        client = ["mariadb", "-h127.0.0.1", f"-P{server.port}", "-uroot", "sipcred", "-e"]
    anchor = "psql INSERTs" if kind == "postgresql" else "mariadb INSERTs"
    results = {"sipcred-user add": [], anchor: [],
               f"sipcred-user import {import_users}": [],
               f"migrate {import_users} into empty": []}
    try:
        subprocess.run([tool("sipcred-migrate"), "-q", "--no-config", userdb, server.locator,
                        "--create-schema"], check=True)
        server.sql("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE TABLE accounts, passwords",
                   "sipcred")
        for run in range(runs):
            results["sipcred-user add"].append(timed(
                [tool("sipcred-user"), "-q", "add", server.locator, f"tool{run}@bench.org",
                 "--password-file", pw]))
            results[anchor].append(timed(client + [hand_insert(f"hand{run}")]))
        server.sql("CREATE DATABASE empty")
        empty = (server.locator.replace("dbname=sipcred", "dbname=empty") if kind == "postgresql"
                 else server.locator.replace("db=sipcred", "db=empty"))
        for run in range(runs):
            listing = os.path.join(work, f"list{run}.csv")
            write_list(listing, import_users, f"new{run}x")  # new users each run
            results[f"sipcred-user import {import_users}"].append(timed(
                [tool("sipcred-user"), "-q", "import", server.locator, "--from", listing]))
            if kind == "postgresql":
                server.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public", "empty")
            else:
                server.sql("DROP DATABASE empty; CREATE DATABASE empty")
            results[f"migrate {import_users} into empty"].append(timed(
                [tool("sipcred-migrate"), "-q", "--no-config", f"csv:{listing}", empty,
                 "--create-schema"]))
    finally:
        server.stop()
    return results


def report(title, results):
    print(f"\n{title}")
    for name, times in results.items():
        print(f"  {name:30} median {statistics.median(times) * 1000:8.1f} ms   runs: "
              + " ".join(f"{t * 1000:.0f}" for t in times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--import-users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--mariadb", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="sipcred-user-sql-bench-")
    os.chmod(work, 0o755)
    try:
        userdb = os.path.join(work, "users")
        with open(userdb, "w") as out:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_userdb.py"), "--users",
                            str(args.users)], check=True, stdout=out)
        report(f"SQLite, {args.users} accounts",
               sqlite_runs(userdb, work, args.runs, args.import_users))
        for kind, name in (("postgresql", "PostgreSQL"), ("mariadb", "MariaDB")):
            if getattr(args, kind):
                report(f"{name}, {args.users} accounts",
                       server_runs(kind, userdb, work, args.runs, args.import_users))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
