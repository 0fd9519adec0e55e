"""The store conformance suite (tests/unit/store/store_conformance.hpp) against real PostgreSQL
and MariaDB servers: store_conformance_sql runs every case of the suite in every schema
(Flexisip, FlexiAPI, Kamailio, OpenSIPS, Asterisk), on an empty database of each server. No
mocks."""
import os
import subprocess
import unittest

from servers import MariaDB, PostgreSQL

BINARY = os.environ.get("SIPCRED_STORE_CONFORMANCE",
                        os.path.join(os.environ.get("SIPCRED_BUILD", "../../build"),
                                     "tests/store_conformance_sql"))


class StoreConformance(unittest.TestCase):
    def run_suite(self, server, variable, name):
        # An empty database of its own (the server's own `sipcred` is left to other tests).
        server.sql("DROP DATABASE IF EXISTS conformance")
        server.sql("CREATE DATABASE conformance")
        locator = server.locator.replace("=sipcred ", "=conformance ")
        self.assertIn("=conformance ", locator)
        result = subprocess.run([BINARY, f"--gtest_filter={name}/*"], capture_output=True,
                                text=True, timeout=600,
                                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                     variable: locator})
        self.assertEqual(result.returncode, 0, result.stdout[-20000:] + result.stderr)
        # Every case ran, in each schema, and none was skipped.
        self.assertIn("[  PASSED  ]", result.stdout)
        self.assertNotIn("SKIPPED", result.stdout)
        for schema in ("flexisip", "flexiapi", "kamailio", "opensips", "asterisk",
                       "kamailio_sha256"):
            self.assertIn(f"{name}/StoreConformance.RoundTrip/{schema}", result.stdout)

    def test_postgresql(self):
        server = PostgreSQL()
        try:
            self.run_suite(server, "SIPCRED_TEST_POSTGRESQL", "PostgreSQL")
        finally:
            server.stop()

    def test_mariadb(self):
        server = MariaDB()
        try:
            self.run_suite(server, "SIPCRED_TEST_MYSQL", "MariaDB")
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
