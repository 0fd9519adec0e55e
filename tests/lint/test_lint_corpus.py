"""The lint corpus: each directory of cases/ holds a flexisip.conf and/or a userdb (`users`)
and/or a pjsip.conf, and `expected`, the exact findings ("FILE:LINE CODE SEVERITY" a line) that
sipcred-lint --format json must report: a missing finding, an extra one and one of another
severity all fail.

Optional files: `args` (the arguments, one a line; default: flexisip.conf, else --userdb users,
plus --pjsip pjsip.conf) and `mode` ("FILE OCTAL" lines; every file is 0600 otherwise). "@DIR@"
in a file stands for the directory the case runs in (the tool's working directory)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
BIN = os.environ.get("SIPCRED_BIN", os.path.join(HERE, "../../build/tools"))
LINT = os.path.join(BIN, "sipcred-lint")
META = {"expected", "args", "mode"}


def read_lines(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def run_case(case_dir):
    """Runs one case; returns (sorted findings as 'FILE:LINE CODE SEVERITY', json document, exit
    code)."""
    with tempfile.TemporaryDirectory(prefix="sipcred-lint-case-") as tmp:
        for name in os.listdir(case_dir):
            if name in META:
                continue
            with open(os.path.join(case_dir, name), "rb") as f:
                data = f.read().replace(b"@DIR@", tmp.encode())
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            os.chmod(os.path.join(tmp, name), 0o600)
        if os.path.exists(os.path.join(case_dir, "mode")):
            for line in read_lines(os.path.join(case_dir, "mode")):
                name, mode = line.split()
                os.chmod(os.path.join(tmp, name), int(mode, 8))
        if os.path.exists(os.path.join(case_dir, "args")):
            args = read_lines(os.path.join(case_dir, "args"))
        else:
            args = []
            if os.path.exists(os.path.join(tmp, "flexisip.conf")):
                args.append("flexisip.conf")
            elif os.path.exists(os.path.join(tmp, "users")):
                args += ["--userdb", "users"]
            if os.path.exists(os.path.join(tmp, "pjsip.conf")):
                args += ["--pjsip", "pjsip.conf"]
        r = subprocess.run([LINT, *args, "--format", "json"], cwd=tmp, capture_output=True,
                           text=True, timeout=60)
        if r.returncode not in (0, 1):
            raise AssertionError(f"exit {r.returncode}: {r.stderr}")
        document = json.loads(r.stdout)
        found = []
        for d in document["diagnostics"]:
            file = d["file"][len(tmp) + 1:] if d["file"].startswith(tmp + "/") else d["file"]
            found.append(f"{file}:{d['line']} {d['code']} {d['severity']}")
        return sorted(found), document, r.returncode


class Corpus(unittest.TestCase):
    def test_every_case_reports_exactly_what_is_expected(self):
        names = sorted(os.listdir(CASES))
        self.assertGreaterEqual(len(names), 40)
        for name in names:
            with self.subTest(case=name):
                found, document, code = run_case(os.path.join(CASES, name))
                expected = sorted(read_lines(os.path.join(CASES, name, "expected")))
                self.assertEqual(found, expected)
                errors = sum(d["severity"] == "error" for d in document["diagnostics"])
                self.assertEqual(document["summary"]["errors"], errors)
                self.assertEqual(code, 1 if errors else 0)

    def test_every_rule_has_a_case(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as empty:
            empty.write("version:1\n")
            empty.flush()
            r = subprocess.run([LINT, "--userdb", empty.name, "--format", "sarif"],
                               capture_output=True, text=True, timeout=60)
        rules = json.loads(r.stdout)["runs"][0]["tool"]["driver"]["rules"]
        # The table's severity of each rule (SARIF levels are named as sipcred's severities).
        severities = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
        codes = set(severities)
        self.assertGreater(len(codes), 50)
        covered = set()
        for name in os.listdir(CASES):
            for line in read_lines(os.path.join(CASES, name, "expected")):
                _, code, severity = line.split()
                covered.add(code)
                # Findings are emitted by rule, never restating the severity: an expected file
                # that disagrees with the table is wrong, whatever the tool prints.
                with self.subTest(case=name, finding=line):
                    self.assertEqual(severity, severities.get(code))
        self.assertEqual(sorted(codes - covered), [])
        self.assertEqual(sorted(covered - codes), [])


if __name__ == "__main__":
    unittest.main()
