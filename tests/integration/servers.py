"""Real servers for the integration tests, from Debian packages, started on loopback in a
temporary directory and stopped afterwards: PostgreSQL, MariaDB, Kamailio. No mocks.

PostgreSQL refuses to run as root and MariaDB wants a user: as root, both run as their
package's system user (runuser)."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from livetest import free_port

BIN = os.environ.get("SIPCRED_BIN", os.path.join(os.path.dirname(__file__), "../../build/tools"))
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
AS_ROOT = os.geteuid() == 0


def wait_for(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {timeout} s")


def require(*programs):
    """Skips (with the reason) only when a package truly is not installed: CI installs them."""
    for program in programs:
        if not (shutil.which(program, path=CLEAN_PATH) or os.path.exists(program)):
            raise unittest.SkipTest(f"{program} is not installed (scripts/install-deps installs it)")


def run_tool(tool, *args, stdin="", env=None):
    result = subprocess.run([os.path.join(BIN, tool), *args], input=stdin.encode(),
                            capture_output=True,
                            env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8", **(env or {})},
                            timeout=600)
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


class ServerDir:
    """A temporary directory the server's system user can use."""

    def __init__(self, owner):
        self.path = tempfile.mkdtemp(prefix="sipcred-it-")
        os.chmod(self.path, 0o755)
        self.owner = owner if AS_ROOT else None
        if self.owner:
            shutil.chown(self.path, self.owner, self.owner)

    def command(self, *args):
        return (["runuser", "-u", self.owner, "--"] if self.owner else []) + list(args)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


class PostgreSQL:
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise unittest.SkipTest("PostgreSQL is not installed (scripts/install-deps installs it)")
        self.bin = os.path.dirname(bins[-1])
        self.dir = ServerDir("postgres")
        self.data = os.path.join(self.dir.path, "data")
        self.port = free_port()
        subprocess.run(self.dir.command(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres",
                                        "--auth=trust", "-E", "UTF8", "--no-sync"),
                       check=True, capture_output=True)
        subprocess.run(self.dir.command(
            f"{self.bin}/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir.path, "log"),
            "-o", f"-p {self.port} -k {self.dir.path} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start"), check=True, capture_output=True)
        self.sql("CREATE DATABASE sipcred")
        self.locator = (f"postgresql://dbname=sipcred host=127.0.0.1 port={self.port} "
                        "user=postgres")

    def sql(self, statement, database="postgres"):
        result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                 "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
                                capture_output=True, text=True, check=True)
        return result.stdout

    def stop(self):
        subprocess.run(self.dir.command(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate",
                                        "stop"), capture_output=True)
        self.dir.cleanup()


class MariaDB:
    def __init__(self):
        require("mariadbd" if shutil.which("mariadbd", path=CLEAN_PATH) else "/usr/sbin/mariadbd",
                "mariadb-install-db")
        self.dir = ServerDir("mysql")
        self.data = os.path.join(self.dir.path, "data")
        self.port = free_port()
        user = ["--user=mysql"] if AS_ROOT else []
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.data}",
                        "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                       check=True, capture_output=True)
        self.log = open(os.path.join(self.dir.path, "log"), "w")
        self.process = subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={self.data}",
             f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--socket={self.dir.path}/mysqld.sock", "--skip-grant-tables",
             "--innodb-flush-log-at-trx-commit=2", *user],
            stdout=subprocess.DEVNULL, stderr=self.log)
        wait_for(lambda: self._ping(), "MariaDB")
        self.sql("CREATE DATABASE sipcred")
        self.locator = f"mysql://db=sipcred host=127.0.0.1 port={self.port} user=root"

    def _ping(self):
        return subprocess.run(["mariadb", "-h127.0.0.1", f"-P{self.port}", "-uroot", "-e",
                               "select 1"], capture_output=True).returncode == 0

    def sql(self, statement, database=None):
        result = subprocess.run(["mariadb", "-h127.0.0.1", f"-P{self.port}", "-uroot", "-N", "-B",
                                 *([database] if database else []), "-e", statement],
                                capture_output=True, text=True, check=True)
        return result.stdout

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        self.dir.cleanup()


KAMAILIO_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
listen=udp:127.0.0.1:{port}
mpath="{mpath}"
loadmodule "{db_module}.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
{auth_params}
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (method == "REGISTER") {{
        if (!www_authenticate("$fd", "subscriber")) {{
            www_challenge("$fd", "{qop_flags}");
            exit;
        }}
        sl_send_reply("200", "OK");
        exit;
    }}
    sl_send_reply("404", "Not Here");
}}
"""


class Kamailio:
    """Kamailio with auth_db in the foreground on a free UDP port. `configuration` holds the
    db module's loadmodule line and the modparam lines, as sipcred-migrate prints them;
    `qop_flags` is www_challenge's (1: qop=auth)."""

    def __init__(self, configuration, qop_flags="0"):
        require("kamailio")
        modules = glob.glob("/usr/lib/*/kamailio/modules/auth_db.so")
        if not modules:
            raise unittest.SkipTest("kamailio's modules are not installed")
        self.dir = tempfile.mkdtemp(prefix="sipcred-kamailio-")
        lines = configuration.splitlines()
        db_module = next(l.split('"')[1][:-3] for l in lines if l.startswith("loadmodule")
                         and "db_" in l)
        params = "\n".join(l for l in lines if l.startswith("modparam"))
        cfg = os.path.join(self.dir, "kamailio.cfg")
        for _ in range(5):  # another suite may take the port between our check and the bind
            self.port = free_port()
            with open(cfg, "w") as f:
                f.write(KAMAILIO_CFG.format(port=self.port, mpath=os.path.dirname(modules[0]) + "/",
                                            db_module=db_module, auth_params=params,
                                            qop_flags=qop_flags))
            check = subprocess.run(["kamailio", "-c", "-f", cfg], capture_output=True, text=True)
            if check.returncode != 0:
                raise RuntimeError(f"kamailio -c refused the config:\n{check.stderr}")
            self.log = open(os.path.join(self.dir, "log"), "w")
            self.process = subprocess.Popen(
                ["kamailio", "-DD", "-E", "-f", cfg, "-P", os.path.join(self.dir, "pid"),
                 "-Y", self.dir, "-w", self.dir, "-m", "32", "-M", "4"],
                stdout=self.log, stderr=subprocess.STDOUT)
            if self._answers():
                return
            exited = self.process.poll() is not None
            self._end()
            if not exited:  # up but silent: retrying will not help
                break
        with open(os.path.join(self.dir, "log")) as log:
            text = log.read()[-3000:]
        shutil.rmtree(self.dir, ignore_errors=True)
        raise RuntimeError("kamailio did not start:\n" + text)

    def _answers(self):
        """Kamailio answers an OPTIONS (with its 404) once it is up."""
        options = (f"OPTIONS sip:127.0.0.1:{self.port} SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKready;rport\r\n"
                   "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:t@127.0.0.1>\r\n"
                   "Call-ID: ready\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n").encode()
        end = time.monotonic() + 15
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            s.connect(("127.0.0.1", self.port))
            while time.monotonic() < end and self.process.poll() is None:
                try:
                    s.send(options)
                    if s.recv(65536).startswith(b"SIP/2.0 "):
                        return True
                except (socket.timeout, ConnectionRefusedError):
                    time.sleep(0.1)
        return False

    def _end(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def register(self, user, domain, password, username=None):
        """sipsak's REGISTER with digest authentication, as `username` (default: user); its exit
        code (0: registered)."""
        return subprocess.run(["sipsak", "-U", "-s", f"sip:{user}@{domain}:{self.port}",
                               "-u", username or user, "-a", password, "-x", "60"],
                              capture_output=True, text=True, timeout=60).returncode

    def stop(self):
        self._end()
        shutil.rmtree(self.dir, ignore_errors=True)
