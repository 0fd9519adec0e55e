"""`cmake --install` to a fresh prefix: the tools run from there, and another C++ program can
link libsipcred through pkg-config and through find_package(sipcred)."""
import os
import subprocess
import unittest

from clitest import BUILD, TempDirTest

# The build's compiler, and its sanitizers when the library under test has them.
CXX = os.environ.get("SIPCRED_CXX") or "c++"
SANITIZE = os.environ.get("SIPCRED_SANITIZE_FLAGS", "").split()


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=300, **kwargs)


CONSUMER = r"""
#include <sipcred/digest/digest.hpp>
#include <iostream>
int main() {
  std::cout << sipcred::ha1(sipcred::HashFunction::Md5, "Mufasa", "testrealm@host.com",
                            "Circle Of Life") << '\n';
}
"""
MUFASA_MD5 = "939e7578ed9e3c518a452acee763bce9\n"

SQL_CONSUMER = r"""
#include <sipcred/sql/sql_stores.hpp>
#include <sipcred/store/store.hpp>
#include <sipcred/version.hpp>
#include <iostream>
int main() {
  sipcred::sql::add_sql_stores();
  std::cout << sipcred::parse_locator("sqlite3://db=/x").backend << ' '
            << (sipcred::library_version() == SIPCRED_VERSION_STRING) << '\n';
}
"""


class Install(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._prefix_dir = tempfile.TemporaryDirectory(prefix="sipcred-prefix-")
        cls.prefix = cls._prefix_dir.name
        sh("cmake", "--install", BUILD, "--prefix", cls.prefix)
        libdirs = [d for d in ("lib", "lib64", "lib/x86_64-linux-gnu")
                   if os.path.exists(os.path.join(cls.prefix, d, "pkgconfig", "sipcred.pc"))]
        cls.libdir = os.path.join(cls.prefix, libdirs[0])

    @classmethod
    def tearDownClass(cls):
        cls._prefix_dir.cleanup()

    def test_files_are_installed(self):
        for path in ("bin/sipcred", "bin/sipcred-hash", "include/sipcred/digest/digest.hpp",
                     "include/sipcred/userdb/userdb.hpp", "share/man/man1/sipcred-hash.1",
                     "share/man/man1/sipcred.1", "share/man/man5/sipcred-userdb.5",
                     "share/bash-completion/completions/sipcred-hash"):
            self.assertTrue(os.path.exists(os.path.join(self.prefix, path)), path)
        for path in ("cmake/sipcred/sipcredConfig.cmake", "pkgconfig/sipcred.pc"):
            self.assertTrue(os.path.exists(os.path.join(self.libdir, path)), path)

    def test_only_the_public_api_is_installed_and_exported(self):
        # Internals stay inside: their headers are not installed, their symbols hidden.
        for path in ("include/sipcred/md5_many.hpp", "include/sipcred/digest/md5_many.hpp",
                     "include/sipcred/userdb_stream.hpp", "include/sipcred/userdb/userdb_stream.hpp"):
            self.assertFalse(os.path.exists(os.path.join(self.prefix, path)), path)
        for path in ("include/sipcred/version.hpp", "include/sipcred/export.hpp",
                     "include/sipcred/sql/sql_stores.hpp", "include/sipcred/sql/export.hpp"):
            self.assertTrue(os.path.exists(os.path.join(self.prefix, path)), path)
        symbols = sh("nm", "-DC", "--defined-only",
                     os.path.join(self.libdir, "libsipcred.so")).stdout
        self.assertTrue("sipcred::ha1" in symbols, "ha1 is not exported")
        for internal in ("FileStore", "md5_many", "scan_piece", "WriteBack"):
            self.assertFalse(internal in symbols, internal + " is exported")
        sql = sh("nm", "-DC", "--defined-only", os.path.join(self.libdir, "libsipcred-sql.so")).stdout
        self.assertTrue("sipcred::sql::add_sql_stores()" in sql, "add_sql_stores is not exported")
        for internal in ("SqlStore", "SqliteStatement", "PostgresqlCopy"):
            self.assertFalse(internal in sql, internal + " is exported")

    def test_database_clients_are_loaded_only_by_the_tools_that_open_databases(self):
        def libraries(tool):
            return sh("ldd", os.path.join(self.prefix, "bin", tool)).stdout
        for tool in ("sipcred-hash", "sipcred-convert"):
            out = libraries(tool)
            self.assertIn("libsipcred.so", out, tool)
            for client in ("libsipcred-sql", "libpq", "libmariadb", "libsqlite3", "libsoci"):
                self.assertNotIn(client, out, tool)
        # The tools that open databases load libsipcred-sql when they first do, and it loads
        # the PostgreSQL or MySQL module when a locator names one: none of them links either.
        for tool in ("sipcred-migrate", "sipcred-lint", "sipcred-sim", "sipcred-user"):
            out = libraries(tool)
            self.assertIn("libsipcred.so", out, tool)
            for client in ("libsipcred-sql", "libpq", "libmariadb", "libsqlite3", "libsoci"):
                self.assertNotIn(client, out, tool)
        self.assertNotIn("libsipcred", libraries("sipcred"))  # the umbrella only execs
        sql = sh("ldd", os.path.join(self.libdir, "libsipcred-sql.so")).stdout
        self.assertIn("libsqlite3", sql)
        for client in ("libpq", "libmariadb"):
            self.assertNotIn(client, sql)
        for module, client in (("sql-postgresql.so", "libpq.so"),
                               ("sql-mysql.so", "libmariadb.so")):
            self.assertIn(client, sh("ldd", os.path.join(self.libdir, "sipcred", module)).stdout)

    def loaded(self, *args):
        """The exit code of an installed sipcred-user run and the libraries it loaded."""
        r = subprocess.run([os.path.join(self.prefix, "bin", "sipcred-user"), *args],
                           capture_output=True, text=True, timeout=60, cwd=self.dir,
                           env={"PATH": "/usr/bin:/bin", "LD_DEBUG": "files"})
        files = [line.split("file=", 1)[1].split()[0] for line in r.stderr.splitlines()
                 if "file=" in line and "[0];  needed by" in line or "dynamically loaded" in line]
        return r.returncode, " ".join(files), r.stderr

    def test_a_command_loads_the_client_of_the_database_it_opens_only(self):
        self.write("users", "version:1\n")
        code, files, err = self.loaded("list", self.path("users"))
        self.assertEqual(code, 0, err)
        self.assertIn("libsipcred.so", files)
        for client in ("libsipcred-sql", "libsqlite3", "libsoci", "libpq", "libmariadb",
                       "sql-postgresql", "sql-mysql"):
            self.assertNotIn(client, files)
        code, files, err = self.loaded("init", "sqlite3://db=" + self.path("u.db"))
        self.assertEqual(code, 0, err)
        self.assertIn("libsipcred-sql.so", files)
        self.assertIn("libsqlite3", files)
        for client in ("libpq", "libmariadb", "sql-postgresql", "sql-mysql"):
            self.assertNotIn(client, files)
        # Nothing listens on port 9 of loopback: the module and libpq load, the server is out
        # of reach (69).
        code, files, err = self.loaded("list", "postgresql://host=127.0.0.1 port=9 dbname=x "
                                       "connect_timeout=5")
        self.assertEqual(code, 69, err)
        self.assertIn("sql-postgresql.so", files)
        self.assertIn("libpq", files)
        self.assertNotIn("libmariadb", files)

    def test_without_the_sql_library_files_work_and_a_database_says_what_to_install(self):
        library = os.path.realpath(os.path.join(self.libdir, "libsipcred-sql.so.0"))
        os.rename(library, library + ".away")
        try:
            self.write("users", "version:1\n")
            code, _, err = self.loaded("list", self.path("users"))
            self.assertEqual(code, 0, err)
            code, _, err = self.loaded("init", "sqlite3://db=" + self.path("u.db"))
        finally:
            os.rename(library + ".away", library)
        self.assertEqual(code, 69, err)
        self.assertIn("sqlite3:// needs libsipcred-sql, which cannot be loaded", err)
        self.assertIn("install it (Debian: the package libsipcred-sql0)", err)
        self.assertFalse(os.path.exists(self.path("u.db")))

    def test_a_missing_module_is_a_database_out_of_reach_with_what_to_install(self):
        module = os.path.join(self.libdir, "sipcred", "sql-mysql.so")
        os.rename(module, module + ".away")
        try:
            r = subprocess.run([os.path.join(self.prefix, "bin", "sipcred-user"), "list",
                                "mysql://db=x host=127.0.0.1 port=9"], capture_output=True,
                               text=True, timeout=60)
        finally:
            os.rename(module + ".away", module)
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertIn("mysql:// needs the module " + module, r.stderr)
        self.assertIn("libsipcred-sql0", r.stderr)

    def test_library_has_a_soname(self):
        out = sh("objdump", "-p", os.path.join(self.libdir, "libsipcred.so")).stdout
        self.assertRegex(out, r"SONAME\s+libsipcred\.so\.\d+\n")

    def test_installed_tools_run_from_anywhere(self):
        r = subprocess.run([os.path.join(self.prefix, "bin/sipcred"), "hash", "Mufasa",
                            "testrealm@host.com"], input=b"Circle Of Life", capture_output=True,
                           cwd="/", env={"PATH": "/usr/bin:/bin"}, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode(), MUFASA_MD5)

    def test_pkg_config_consumer(self):
        source = self.write("consumer.cpp", CONSUMER)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.libdir, "pkgconfig"))
        flags = sh("pkg-config", "--cflags", "--libs", "sipcred", env=env).stdout.split()
        exe = self.path("consumer")
        sh(CXX, source, "-o", exe, *flags, *SANITIZE, f"-Wl,-rpath,{self.libdir}")
        self.assertEqual(sh(exe).stdout, MUFASA_MD5)

    def test_pkg_config_sql_consumer(self):
        source = self.write("sql_consumer.cpp", SQL_CONSUMER)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.libdir, "pkgconfig"))
        flags = sh("pkg-config", "--cflags", "--libs", "sipcred-sql", env=env).stdout.split()
        self.assertIn("-lsipcred", flags)  # Requires: sipcred
        exe = self.path("sql_consumer")
        sh(CXX, source, "-o", exe, *flags, *SANITIZE, f"-Wl,-rpath,{self.libdir}")
        self.assertEqual(sh(exe).stdout, "sqlite3 1\n")

    def test_cmake_find_package_consumer(self):
        os.mkdir(self.path("project"))
        self.write("project/consumer.cpp", CONSUMER)
        self.write("project/sql_consumer.cpp", SQL_CONSUMER)
        self.write("project/CMakeLists.txt",
                   "cmake_minimum_required(VERSION 3.22)\nproject(consumer CXX)\n"
                   "find_package(sipcred 0 REQUIRED)\nadd_executable(consumer consumer.cpp)\n"
                   "target_link_libraries(consumer PRIVATE sipcred::sipcred)\n"
                   "add_executable(sql_consumer sql_consumer.cpp)\n"
                   "target_link_libraries(sql_consumer PRIVATE sipcred::sipcred-sql)\n")
        build = self.path("build")
        sh("cmake", "-S", self.path("project"), "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}",
           f"-DCMAKE_CXX_COMPILER={CXX}", f"-DCMAKE_EXE_LINKER_FLAGS={' '.join(SANITIZE)}")
        sh("cmake", "--build", build)
        self.assertEqual(sh(os.path.join(build, "consumer")).stdout, MUFASA_MD5)
        self.assertEqual(sh(os.path.join(build, "sql_consumer")).stdout, "sqlite3 1\n")


def default_paths(shell, home):
    """The directories the shell itself searches for completions, for a user (HOME) who set
    nothing: zsh without startup files, fish with only its system configuration."""
    args = (["zsh", "-f", "-c", "print -l $fpath"] if shell == "zsh" else
            ["fish", "-c", "string join \\n $fish_complete_path"])
    paths = subprocess.run(args, capture_output=True, text=True, timeout=30,
                           env={"PATH": "/usr/bin:/bin", "HOME": home}).stdout.split()
    assert paths, f"{shell} gave no completion path"
    return [p for p in paths if not p.startswith(home)]


class ShellsFindTheCompletions(TempDirTest):
    """Installed (with DESTDIR) for /usr/local and for /usr, the zsh and fish completions sit
    in a directory the real shell searches by default for that prefix: a zsh (compinit) and a
    fish whose default paths are moved under DESTDIR complete a subcommand of sipcred-user."""

    def install(self, prefix):
        destdir = self.path("root" + prefix.replace("/", "_"))
        sh("cmake", "--install", BUILD, "--prefix", prefix, "--component", "Unspecified",
           env=dict(os.environ, DESTDIR=destdir))
        return destdir

    def zsh_completes(self, destdir):
        dirs = [destdir + d for d in default_paths("zsh", self.dir)]
        # compinit binds a command to the function of the #compdef line it finds in $fpath.
        # The shell's own functions stay after them; the file found must be the installed one.
        script = (f"fpath=({' '.join(dirs)} $fpath); autoload -U compinit; compinit -u -D; "
                  "files=($^fpath/_sipcred-user(N)); "
                  "print -r -- ${+_comps[sipcred-user]} $_comps[sipcred-user] $files[1]")
        r = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True,
                           timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": self.dir})
        return r.stdout.split()

    @staticmethod
    def installed(destdir, name):
        found = [os.path.join(d, name) for d, _, files in os.walk(destdir) if name in files]
        assert len(found) == 1, found
        return found[0]

    def fish_completes(self, destdir, line):
        dirs = [destdir + d for d in default_paths("fish", self.dir)]
        script = f"set fish_complete_path {' '.join(dirs)}; complete -C '{line}'"
        r = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True, text=True,
                           timeout=60, env={"PATH": f"{BUILD}/tools:/usr/bin:/bin",
                                            "HOME": self.dir})
        return [c.split("\t")[0] for c in r.stdout.splitlines()]

    def test_zsh_and_fish_find_them_for_usr_local_and_usr(self):
        for prefix in ("/usr/local", "/usr"):
            with self.subTest(prefix=prefix):
                destdir = self.install(prefix)
                self.assertEqual(self.zsh_completes(destdir),
                                 ["1", "_sipcred-user", self.installed(destdir, "_sipcred-user")])
                self.assertIn("list", self.fish_completes(destdir, "sipcred-user "))
                self.assertIn("rotate", self.fish_completes(destdir, "sipcred-user rot"))


if __name__ == "__main__":
    unittest.main()
