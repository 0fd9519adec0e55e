#!/usr/bin/env python3
"""sipcred-user on a 1M-account Flexisip database, side by side with its anchors (issue 17):
- one `add`, start-up included, against the same INSERTs typed into `sqlite3` / `psql` by hand
  (one transaction: the account, its MD5 and SHA-256 rows);
- an `import` of 100k users (half new, half rotated) into the 1M database, against
  `sipcred-migrate` of the same 100k into an empty one, as the list gives them (clear text) and
  hashed as the import hashes its new accounts, and against the same import in hand-written SQL.
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
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def a1_hashes(user, domain, password):
    """The MD5 and SHA-256 of user:domain:password in hex, by hashlib (not by sipcred)."""
    a1 = f"{user}:{domain}:{password}".encode()
    return hashlib.md5(a1).hexdigest(), hashlib.sha256(a1).hexdigest()


def tool(name):
    return os.path.join(TOOLS, name)


def hand_insert(user):
    """The statements an administrator types for one account, hashes computed beforehand."""
    md5, sha = a1_hashes(user, "bench.org", "pw")
    return (f"BEGIN; INSERT INTO accounts (username, domain, activated) VALUES "
            f"('{user}', 'bench.org', TRUE); "
            f"INSERT INTO passwords (account_id, password, algorithm) SELECT id, '{md5}', 'MD5' "
            f"FROM accounts WHERE username = '{user}' AND domain = 'bench.org'; "
            f"INSERT INTO passwords (account_id, password, algorithm) SELECT id, '{sha}', "
            f"'SHA-256' FROM accounts WHERE username = '{user}' AND domain = 'bench.org'; "
            "COMMIT;")


def list_entries(count, tag):
    """Half new users, half users of the generated userdb (rotated): (user, domain, password)."""
    for i in range(count):
        if i % 2:
            yield f"user{i * 2}", f"sip{(i * 2) % 8}.example.org", f"pw{i}"
        else:
            yield f"{tag}{i}", "bench.org", f"pw{i}"


def write_list(path, count, tag):
    with open(path, "w") as f:
        f.write("identity,password\n")
        for user, domain, password in list_entries(count, tag):
            f.write(f"{user}@{domain},{password}\n")


def write_hashed_list(path, count, tag):
    """The list as a userdb of the hashes an import gives a new account (MD5 and SHA-256, by
    hashlib): migrated into an empty database, the anchor that writes the import's rows."""
    with open(path, "w") as f:
        f.write("version:1\n")
        for user, domain, password in list_entries(count, tag):
            md5, sha = a1_hashes(user, domain, password)
            f.write(f"{user}@{domain} md5:{md5} sha256:{sha} ;\n")


def statements_time(timer_output):
    """The seconds sqlite3 reported for the statements of a script run with `.timer on`: the
    loading of its CSV files (`.import`) is not a statement, so it is left out."""
    with open(timer_output) as f:
        return sum(float(line.split()[3]) for line in f if line.startswith("Run Time: real"))


def write_floor(work, count, tag, copy_command):
    """The same import as hand-written set-based SQL, every hash computed beforehand (hashlib):
    what the database itself takes for these writes, whatever the client. The rotated accounts
    keep their kinds (clear text stays clear text), as sipcred-user rotates them. Returns the
    script's path; `copy_command(table, csv)` loads a CSV file into a temporary table."""
    rotated, new = os.path.join(work, f"rotated-{tag}.csv"), os.path.join(work, f"new-{tag}.csv")
    with open(rotated, "w") as r, open(new, "w") as n:
        for user, domain, password in list_entries(count, tag):
            md5, sha = a1_hashes(user, domain, password)
            if domain == "bench.org":
                n.write(f"{user},{domain},{md5},{sha}\n")
            else:
                r.write(f"{user},{domain},{md5},{sha},{password}\n")
    script = os.path.join(work, f"floor-{tag}.sql")
    with open(script, "w") as f:
        f.write("BEGIN;\n"
                "CREATE TEMP TABLE r (username TEXT, domain TEXT, md5 TEXT, sha TEXT, clear TEXT);\n"
                "CREATE TEMP TABLE n (username TEXT, domain TEXT, md5 TEXT, sha TEXT);\n"
                f"{copy_command('r', rotated)}\n{copy_command('n', new)}\n"
                "CREATE TEMP TABLE rid AS SELECT a.id, r.md5, r.sha, r.clear FROM r JOIN accounts a "
                "ON a.username = r.username AND a.domain = r.domain;\n"
                "UPDATE passwords SET password = CASE passwords.algorithm WHEN 'MD5' THEN rid.md5 "
                "WHEN 'SHA-256' THEN rid.sha ELSE rid.clear END FROM rid "
                "WHERE passwords.account_id = rid.id;\n"
                "INSERT INTO accounts (username, domain, activated) SELECT username, domain, TRUE "
                "FROM n;\n"
                "INSERT INTO passwords (account_id, password, algorithm) SELECT a.id, n.md5, 'MD5' "
                "FROM n JOIN accounts a ON a.username = n.username AND a.domain = n.domain;\n"
                "INSERT INTO passwords (account_id, password, algorithm) SELECT a.id, n.sha, "
                "'SHA-256' FROM n JOIN accounts a ON a.username = n.username AND a.domain = "
                "n.domain;\n"
                "COMMIT;\n")
    return script


# The rows an import made, to check that the hand-written SQL did the writes sipcred-user did:
# the passwords of the rotated accounts (among the first 200k), and those of the new ones.
ROTATED = ("SELECT a.username, a.domain, p.algorithm, p.password FROM accounts a JOIN passwords p "
           "ON p.account_id = a.id WHERE a.id <= 200000")
NEW = ("SELECT a.username, a.domain, CASE WHEN a.activated THEN 'on' ELSE 'off' END, p.algorithm, "
       "p.password FROM accounts a JOIN passwords p ON p.account_id = a.id WHERE a.domain = "
       "'bench.org' AND a.username LIKE '{tag}%'")


def expected_new(count, tag):
    """NEW's rows for the list's new users, hashed by hashlib."""
    rows = []
    for user, domain, password in list_entries(count, tag):
        if domain == "bench.org":
            md5, sha = a1_hashes(user, domain, password)
            rows.append(f"{user}|{domain}|on|MD5|{md5}")
            rows.append(f"{user}|{domain}|on|SHA-256|{sha}")
    return sorted(rows)


def check_same_writes(count, tag, new_rows, rotated, rotated_before):
    """Stops the bench when an import did not make the rows it should (both imports rotate
    the same accounts to the same passwords): the hand-written SQL is no anchor then."""
    if sorted(new_rows.splitlines()) != expected_new(count, tag):
        sys.exit(f"the new users of {tag} do not have the hashes hashlib gives")
    if sorted(rotated.splitlines()) != sorted(rotated_before.splitlines()):
        sys.exit(f"the import of {tag} did not rotate as sipcred-user did")


def sqlite_runs(userdb, work, runs, import_users):
    base = os.path.join(work, "base.db")
    subprocess.run([tool("sipcred-migrate"), "-q", "--no-config", userdb, f"sqlite3://db={base}",
                    "--create-schema"], check=True)
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write("pw\n")
    listing = os.path.join(work, "list.csv")
    write_list(listing, import_users, "new")
    floor = write_floor(work, import_users, "new", lambda table, csv: f".import --csv {csv} {table}")
    hashed = os.path.join(work, "hashed.userdb")
    write_hashed_list(hashed, import_users, "new")
    results = {"sipcred-user add": [], "sqlite3 INSERTs": [],
               f"sipcred-user import {import_users}": [],
               f"hand SQL import {import_users}": [],
               "  its statements alone": [],
               f"migrate {import_users} into empty": [],
               f"migrate {import_users} hashed into empty": []}
    db = os.path.join(work, "db.db")
    shutil.copy(base, db)
    for run in range(runs):
        results["sipcred-user add"].append(timed(
            [tool("sipcred-user"), "-q", "add", f"sqlite3://db={db}", f"tool{run}@bench.org",
             "--password-file", pw]))
        results["sqlite3 INSERTs"].append(timed(["sqlite3", db, hand_insert(f"hand{run}")]))
    query = lambda sql: subprocess.run(["sqlite3", db, sql], capture_output=True, check=True,
                                       text=True).stdout
    for run in range(runs):
        shutil.copy(base, db)
        results[f"sipcred-user import {import_users}"].append(timed(
            [tool("sipcred-user"), "-q", "import", f"sqlite3://db={db}", "--from", listing]))
        rotated = query(ROTATED)
        check_same_writes(import_users, "new", query(NEW.format(tag="new")), rotated, rotated)
        shutil.copy(base, db)
        timer_output = os.path.join(work, "timer.out")
        with open(floor) as script, open(timer_output, "w") as out:
            results[f"hand SQL import {import_users}"].append(
                timed(["sqlite3", "-cmd", ".timer on", db], stdin=script, stdout=out))
        results["  its statements alone"].append(statements_time(timer_output))
        check_same_writes(import_users, "new", query(NEW.format(tag="new")), query(ROTATED),
                          rotated)
        for source, name in ((f"csv:{listing}", f"migrate {import_users} into empty"),
                             (hashed, f"migrate {import_users} hashed into empty")):
            empty = os.path.join(work, f"empty{run}.db")
            results[name].append(timed([tool("sipcred-migrate"), "-q", "--no-config", source,
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
               f"migrate {import_users} into empty": [],
               f"migrate {import_users} hashed into empty": []}
    if kind == "postgresql":  # the import's other anchor (MariaDB has no target for it)
        results[f"hand SQL import {import_users}"] = []
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
                rotated = server.sql(ROTATED, "sipcred")
                check_same_writes(import_users, f"new{run}x",
                                  server.sql(NEW.format(tag=f"new{run}x"), "sipcred"), rotated,
                                  rotated)
                # New users again, the same rotated ones: the same writes.
                floor = write_floor(work, import_users, f"new{run}f",
                                    lambda table, csv: f"\\copy {table} FROM '{csv}' CSV")
                results[f"hand SQL import {import_users}"].append(
                    timed(client[:-1] + ["-f", floor]))
                check_same_writes(import_users, f"new{run}f",
                                  server.sql(NEW.format(tag=f"new{run}f"), "sipcred"),
                                  server.sql(ROTATED, "sipcred"), rotated)
            hashed = os.path.join(work, f"hashed{run}.userdb")
            write_hashed_list(hashed, import_users, f"new{run}x")
            for source, name in ((f"csv:{listing}", f"migrate {import_users} into empty"),
                                 (hashed, f"migrate {import_users} hashed into empty")):
                if kind == "postgresql":
                    server.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public", "empty")
                else:
                    server.sql("DROP DATABASE empty; CREATE DATABASE empty")
                results[name].append(timed([tool("sipcred-migrate"), "-q", "--no-config", source,
                                            empty, "--create-schema"]))
    finally:
        server.stop()
    return results


def report(title, results):
    print(f"\n{title}")
    for name, times in results.items():
        print(f"  {name:34} median {statistics.median(times) * 1000:8.1f} ms   runs: "
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
