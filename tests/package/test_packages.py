"""The Debian packages of debian/, as an admin gets them: built by scripts/package (lintian
clean), installed with apt-get into a clean Debian 12 root made by debootstrap, used there
(every tool, a userdb, a lint, man pages, bash/zsh/fish completions), then purged without a
file left behind. Needs root (chroot) and the Debian mirror, as CI has."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SIPCRED_BUILD", os.path.join(SOURCE, "build"))
TOOLS = ["sipcred", "sipcred-user", "sipcred-hash", "sipcred-convert", "sipcred-migrate",
         "sipcred-lint", "sipcred-sim"]
PACKAGES = ["sipcred", "libsipcred0", "libsipcred-sql0", "libsipcred-dev"]
# What the clean root has beside Debian's minimal base: what the checks themselves run.
CHECKERS = "man-db,bash-completion,zsh,fish"


def run(*args, timeout=1200, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)


def host_mirror():
    """The Debian mirror this machine's apt uses, so that the root is built from the same one."""
    for path in glob.glob("/etc/apt/sources.list.d/*.sources") + ["/etc/apt/sources.list"]:
        try:
            text = open(path).read()
        except OSError:
            continue
        for m in re.finditer(r"^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.M):
            if "security" not in m.group(1):
                return m.group(1)
    return "http://deb.debian.org/debian"


def deb_field(deb, field):
    return run("dpkg-deb", "-f", deb, field).stdout.strip()


@unittest.skipUnless(os.geteuid() == 0, "needs root to chroot into the clean root (CI is root)")
class Packages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sipcred-package-", dir=BUILD)
        cls.out = os.path.join(cls.work, "debs")
        r = run("bash", os.path.join(SOURCE, "scripts/package"), cls.out)
        if r.returncode != 0:
            raise AssertionError(f"scripts/package failed:\n{r.stdout}\n{r.stderr}")
        cls.lintian_output = r.stdout + r.stderr
        cls.debs = {name: glob.glob(os.path.join(cls.out, f"{name}_*.deb"))[0]
                    for name in PACKAGES}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_lintian_reports_no_error_and_no_warning(self):
        # scripts/package fails on them (--fail-on error,warning); shown here when it did not.
        self.assertNotRegex(self.lintian_output, r"(?m)^[EW]: ")

    def test_dependencies_are_computed_from_the_binaries(self):
        tools = deb_field(self.debs["sipcred"], "Depends")
        self.assertRegex(tools, r"libsipcred0 \(>= [0-9.]+\)")
        self.assertRegex(tools, r"libssl3 \(>= ")
        # The tools for files pull no database client: SQL support is its own package.
        self.assertNotRegex(tools, r"libpq5|libmariadb|libsoci|libsipcred-sql0")
        self.assertIn("libsipcred-sql0", deb_field(self.debs["sipcred"], "Recommends"))
        sql = deb_field(self.debs["libsipcred-sql0"], "Depends")
        for lib in ("libpq5", "libmariadb3", "libsqlite3-0", "libsoci-core4.0", "libsipcred0"):
            self.assertIn(lib, sql)
        self.assertNotIn("libpq5", deb_field(self.debs["libsipcred0"], "Depends"))

    def test_version_is_the_projects(self):
        # debian/changelog and CMakeLists.txt both hold it: a release bumps both.
        cmake = open(os.path.join(SOURCE, "CMakeLists.txt")).read()
        version = re.search(r"project\(sipcred VERSION (\S+)", cmake).group(1)
        for name, deb in self.debs.items():
            self.assertEqual(deb_field(deb, "Version"), version, name)

    def test_files_are_where_debian_puts_them(self):
        def files(name):
            return set(run("dpkg-deb", "-c", self.debs[name]).stdout.split())

        tools = files("sipcred")
        for tool in TOOLS:
            self.assertIn(f"./usr/bin/{tool}", tools)
            self.assertIn(f"./usr/share/man/man1/{tool}.1.gz", tools)
            self.assertIn(f"./usr/share/bash-completion/completions/{tool}", tools)
            self.assertIn(f"./usr/share/zsh/vendor-completions/_{tool}", tools)
            self.assertIn(f"./usr/share/fish/vendor_completions.d/{tool}.fish", tools)
        self.assertIn("./usr/share/man/man5/sipcred-userdb.5.gz", tools)
        for name in PACKAGES:
            self.assertIn(f"./usr/share/doc/{name}/copyright", files(name))
            self.assertIn(f"./usr/share/doc/{name}/changelog.gz", files(name))
        multiarch = run("dpkg-architecture", "-qDEB_HOST_MULTIARCH").stdout.strip()
        lib = f"./usr/lib/{multiarch}"
        self.assertIn(f"{lib}/libsipcred.so.0", files("libsipcred0"))
        self.assertIn(f"{lib}/libsipcred-sql.so.0", files("libsipcred-sql0"))
        dev = files("libsipcred-dev")
        for path in (f"{lib}/libsipcred.so", f"{lib}/pkgconfig/sipcred.pc",
                     f"{lib}/cmake/sipcred/sipcredConfig.cmake",
                     "./usr/include/sipcred/digest/digest.hpp"):
            self.assertIn(path, dev)
        # No RPATH: the libraries are in the system's search path.
        unpacked = os.path.join(self.work, "unpacked")
        run("dpkg-deb", "-x", self.debs["sipcred"], unpacked)
        for tool in TOOLS:
            dynamic = run("readelf", "-d", "--wide", os.path.join(unpacked, "usr/bin", tool))
            self.assertEqual(dynamic.returncode, 0, dynamic.stderr)
            self.assertNotRegex(dynamic.stdout, r"RPATH|RUNPATH", tool)

    def test_install_use_and_purge_in_a_clean_root(self):
        root = os.path.join(self.work, "root")
        r = run("debootstrap", "--variant=minbase", f"--include={CHECKERS}", "bookworm", root,
                host_mirror())
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
        shutil.copy("/etc/resolv.conf", os.path.join(root, "etc/resolv.conf"))
        os.makedirs(os.path.join(root, "tmp/debs"))
        for deb in self.debs.values():
            shutil.copy(deb, os.path.join(root, "tmp/debs"))

        def chroot(script, check=True, stdin=None):
            r = run("chroot", root, "/bin/sh", "-ec", script, input=stdin,
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                         "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"})
            if check:
                self.assertEqual(r.returncode, 0, f"{script}\n{r.stdout}\n{r.stderr}")
            return r

        chroot("apt-get update -qq")
        # The linter's CI install: the tools alone, no database client.
        chroot("apt-get install -y -qq --no-install-recommends "
               "/tmp/debs/sipcred_*.deb /tmp/debs/libsipcred0_*.deb")
        self.assertNotEqual(chroot("dpkg -s libpq5", check=False).returncode, 0,
                            "the tools alone pulled libpq5")
        for tool in TOOLS:
            self.assertRegex(chroot(f"{tool} --version").stdout, r"\d+\.\d+\.\d+")
        chroot("sipcred-user init /tmp/users")
        chroot("sipcred-user add /tmp/users alice@sip.example.org --password-stdin",
               stdin="Circle Of Life\n")
        chroot("sipcred-user check /tmp/users alice@sip.example.org --password-stdin",
               stdin="Circle Of Life\n")
        self.assertEqual(chroot("sipcred-user check /tmp/users alice@sip.example.org "
                                "--password-stdin", check=False, stdin="wrong\n").returncode, 1)
        self.assertEqual(chroot("stat -c %a /tmp/users").stdout.strip(), "600")
        chroot("sipcred-lint --userdb /tmp/users")
        # Without the SQL package, an SQL store is a clear refusal, not a loader crash.
        r = chroot("sipcred-user list sqlite3://db=/tmp/users.db", check=False)
        self.assertNotIn(r.returncode, (0, 127, 134, 139), r.stderr)
        self.assertIn("libsipcred-sql0", r.stderr)

        # With every package: SQL stores work.
        chroot("apt-get install -y -qq /tmp/debs/*.deb")
        chroot("sipcred-migrate /tmp/users sqlite3://db=/tmp/users.db --create-schema")
        self.assertIn("alice@sip.example.org",
                      chroot("sipcred-user list sqlite3://db=/tmp/users.db").stdout)

        for tool in TOOLS:
            self.assertEqual(chroot(f"man -w {tool}").stdout.strip(),
                             f"/usr/share/man/man1/{tool}.1.gz")
            bash = chroot(f"bash -c '. /usr/share/bash-completion/bash_completion; "
                          f"_completion_loader {tool}; complete -p {tool}'").stdout.strip()
            self.assertRegex(bash, rf"complete .*-F \S+ {re.escape(tool)}$")
            zsh = chroot(f"zsh -fc 'autoload -Uz compinit && compinit -u && "
                         f"print -r -- ${{_comps[{tool}]}}'").stdout.strip()
            self.assertEqual(zsh, f"_{tool}")
            fish = chroot(f"fish -c 'complete -C \"{tool} --\"'").stdout
            self.assertIn("--help", fish)
        self.assertEqual(chroot("man -w 5 sipcred-userdb").stdout.strip(),
                         "/usr/share/man/man5/sipcred-userdb.5.gz")

        installed = {}
        for name in PACKAGES:
            installed[name] = [p for p in chroot(f"dpkg -L {name}").stdout.splitlines()
                               if not os.path.isdir(os.path.join(root, p.lstrip("/")))]
        chroot("apt-get purge -y -qq " + " ".join(PACKAGES))
        for name, paths in installed.items():
            left = [p for p in paths if os.path.lexists(os.path.join(root, p.lstrip("/")))]
            self.assertEqual(left, [], f"{name} left files behind")
            self.assertNotEqual(chroot(f"dpkg -s {name}", check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
