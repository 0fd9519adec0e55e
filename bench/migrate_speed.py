#!/usr/bin/env python3
"""sipcred-migrate of a 1M-user userdb into Flexisip's SQL schema, side by side with the bulk
loaders of the databases themselves loading the same rows from CSV: the sqlite3 shell's
`.import` (SQLite), `psql \\copy` (PostgreSQL) and LOAD DATA LOCAL INFILE (MariaDB), each server
started by the script on loopback.

    scripts/build
    bench/gen_userdb.py --users 1000000 > /tmp/users-1m
    bench/migrate_speed.py --userdb /tmp/users-1m --runs 5 [--postgresql] [--mariadb]

Every run starts from an empty database holding the same tables (created by sipcred, so both
sides load into the same schema, indexes and constraints included). The CSV files are written
before timing. Prints each time and the medians.
"""
import argparse
import csv
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


def rows_of(userdb):
    """The accounts and passwords rows sipcred-migrate writes for this userdb."""
    accounts, passwords = [], []
    with open(userdb) as f:
        next(f)
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            identity, rest = line.split(" ", 1)
            creds, extra = rest.split(";", 1)
            user, domain = identity.split("@", 1)
            fields = extra.split()
            account_id = len(accounts) + 1
            accounts.append((account_id, user, domain, fields[1] if len(fields) > 1 else "", 1))
            tokens = creds.split()
            clear = [t for t in tokens if t.startswith("clrtxt:")]
            if clear:
                passwords.append((len(passwords) + 1, account_id, clear[-1][7:], "CLRTXT"))
            else:
                for token in tokens:
                    prefix, value = token.split(":", 1)
                    algorithm = {"md5": "MD5", "sha256": "SHA-256"}[prefix]
                    passwords.append((len(passwords) + 1, account_id, value, algorithm))
    return accounts, passwords


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)


def timed(command, **kwargs):
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def sqlite_runs(userdb, work, runs, accounts_csv, passwords_csv):
    migrate = os.path.join(TOOLS, "sipcred-migrate")
    template = os.path.join(work, "template.db")
    empty = os.path.join(work, "empty-users")
    with open(empty, "w") as f:
        f.write("version:1\n")
    subprocess.run([migrate, empty, f"sqlite3://db={template}", "--create-schema", "-q", "--no-config"],
                   check=True)
    results = {"sipcred-migrate": [], "sqlite3 .import": []}
    for _ in range(runs):
        db = os.path.join(work, "sipcred.db")
        shutil.copy(template, db)
        results["sipcred-migrate"].append(
            timed([migrate, userdb, f"sqlite3://db={db}", "-q"]))
        db = os.path.join(work, "import.db")
        shutil.copy(template, db)
        results["sqlite3 .import"].append(
            timed(["sqlite3", db, f".import --csv {accounts_csv} accounts",
                   f".import --csv {passwords_csv} passwords"]))
    return results


def postgresql_runs(userdb, runs, accounts_csv, passwords_csv):
    from servers import PostgreSQL
    server = PostgreSQL()
    migrate = os.path.join(TOOLS, "sipcred-migrate")
    psql = ["psql", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d",
            "sipcred", "-v", "ON_ERROR_STOP=1"]
    results = {"sipcred-migrate": [], "psql \\copy": []}
    try:
        for _ in range(runs):
            reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
            server.sql(reset, "sipcred")
            results["sipcred-migrate"].append(
                timed([migrate, userdb, server.locator, "--create-schema", "-q", "--no-config"]))
            server.sql(reset, "sipcred")
            # The same empty tables for \copy, created by sipcred.
            empty = tempfile.NamedTemporaryFile("w", delete=False)
            empty.write("version:1\n")
            empty.close()
            subprocess.run([migrate, empty.name, server.locator, "--create-schema", "-q", "--no-config"],
                           check=True)
            os.unlink(empty.name)
            results["psql \\copy"].append(timed(psql + [
                "-c", "BEGIN",
                "-c", f"\\copy accounts (id, username, domain, phone, activated) FROM "
                      f"'{accounts_csv}' CSV",
                "-c", f"\\copy passwords (id, account_id, password, algorithm) FROM "
                      f"'{passwords_csv}' CSV",
                "-c", "COMMIT"]))
    finally:
        server.stop()
    return results


def mariadb_runs(userdb, runs, accounts_csv, passwords_csv):
    """sipcred-migrate's multi-row INSERTs against the server's own bulk path, LOAD DATA LOCAL
    INFILE of the same rows, both in one transaction into the same empty tables."""
    from servers import MariaDB
    server = MariaDB()
    migrate = os.path.join(TOOLS, "sipcred-migrate")
    client = ["mariadb", "--local-infile=1", "-h127.0.0.1", f"-P{server.port}", "-uroot",
              "sipcred"]
    empty = os.path.join(os.path.dirname(accounts_csv), "empty-users")
    with open(empty, "w") as f:
        f.write("version:1\n")
    results = {"sipcred-migrate": [], "LOAD DATA": []}
    try:
        for _ in range(runs):
            reset = "DROP DATABASE sipcred; CREATE DATABASE sipcred"
            server.sql(reset)
            results["sipcred-migrate"].append(
                timed([migrate, userdb, server.locator, "--create-schema", "-q", "--no-config"]))
            server.sql(reset)
            subprocess.run([migrate, empty, server.locator, "--create-schema", "-q",
                            "--no-config"], check=True)
            load = ("SET autocommit=0; "
                    f"LOAD DATA LOCAL INFILE '{accounts_csv}' INTO TABLE accounts FIELDS "
                    "TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' (id, username, domain, @phone, "
                    "activated) SET phone = NULLIF(@phone, ''); "
                    f"LOAD DATA LOCAL INFILE '{passwords_csv}' INTO TABLE passwords FIELDS "
                    "TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' (id, account_id, password, "
                    "algorithm); COMMIT")
            results["LOAD DATA"].append(timed(client + ["-e", load]))
    finally:
        server.stop()
    return results


def report(title, results):
    print(f"\n{title}")
    for name, times in results.items():
        print(f"  {name:18} median {statistics.median(times):7.2f} s   runs: "
              + " ".join(f"{t:.2f}" for t in times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--userdb", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql", action="store_true", help="also time PostgreSQL")
    parser.add_argument("--mariadb", action="store_true", help="also time MariaDB")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="sipcred-migrate-bench-")
    os.chmod(work, 0o755)  # psql runs as the caller, the server reads nothing from here
    try:
        accounts, passwords = rows_of(args.userdb)
        print(f"{len(accounts)} accounts, {len(passwords)} credentials")
        accounts_csv = os.path.join(work, "accounts.csv")
        passwords_csv = os.path.join(work, "passwords.csv")
        write_csv(accounts_csv, [(a[0], a[1], a[2], a[3] or None, a[4]) for a in accounts])
        # SQLite's .import has no NULL: an empty phone there is ''.
        write_csv(passwords_csv, passwords)
        del accounts, passwords
        report("SQLite", sqlite_runs(args.userdb, work, args.runs, accounts_csv, passwords_csv))
        if args.postgresql:
            report("PostgreSQL", postgresql_runs(args.userdb, args.runs, accounts_csv,
                                                 passwords_csv))
        if args.mariadb:
            report("MariaDB", mariadb_runs(args.userdb, args.runs, accounts_csv, passwords_csv))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
