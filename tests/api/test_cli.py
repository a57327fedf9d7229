"""The command line: help, init, accounts, tokens, backup, qr, errors."""
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import unittest

from harness import ADMIN_PW, BIN, PG, STAFF_PW, Server, main

COMMANDS = ["init", "serve", "user add", "user passwd", "token create", "member token",
            "import members", "export members", "backup", "qr"]


def run(*args, cwd=None, env=None, stdin=None):
    e = dict(os.environ, TZ="Asia/Shanghai")
    e.pop("UNIONBRIDGE_DB", None)
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], cwd=cwd, env=e, input=stdin, text=True,
                          capture_output=True, timeout=120)


class CliTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ub-cli-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for c in COMMANDS:
            self.assertIn(c, r.stdout)
        for c in COMMANDS:
            r = run(*c.split(), "--help")
            self.assertEqual(r.returncode, 0, c)
            self.assertIn("usage: unionbridge " + c, r.stdout)

    def test_unknown_command_and_option(self):
        r = run("frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        r = run("init", "--bogus", cwd=self.dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--bogus", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "unionbridge.db")))

    def test_init_defaults_and_is_idempotent(self):
        r = run("init", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("password:", r.stdout)
        db = os.path.join(self.dir, "unionbridge.db")
        key = db + ".key"
        self.assertTrue(os.path.exists(db))
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        with open(key, "rb") as f:
            k1 = f.read()
        r = run("init", "--demo", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already initialised", r.stdout)
        with open(key, "rb") as f:
            self.assertEqual(f.read(), k1, "init must never replace the key")
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("SELECT count(*) FROM users").fetchone()[0], 1)
        self.assertEqual(con.execute("SELECT count(*) FROM orgs WHERE level='town'")
                         .fetchone()[0], 21)
        self.assertEqual(con.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        con.close()
        r = run("init", "--demo", cwd=self.dir)
        self.assertIn("not empty", r.stdout)

    def test_bad_database_url(self):
        r = run("init", "--db", "mysql://x", cwd=self.dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown database URL", r.stderr)
        r = run("init", "--db", "sqlite:/nonexistent/dir/x.db", cwd=self.dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_serve_refuses_bad_listen_and_missing_key(self):
        env = {"UNIONBRIDGE_DB": "sqlite:" + os.path.join(self.dir, "x.db"),
               "UNIONBRIDGE_ADMIN_PASSWORD": ADMIN_PW}
        r = run("serve", "--listen", "nonsense", cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no database", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.db")))
        self.assertEqual(run("init", cwd=self.dir, env=env).returncode, 0)
        os.rename(os.path.join(self.dir, "x.db.key"), os.path.join(self.dir, "moved.key"))
        r = run("serve", "--listen", "127.0.0.1:1", cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("key file", r.stderr)
        os.rename(os.path.join(self.dir, "moved.key"), os.path.join(self.dir, "x.db.key"))
        r = run("serve", "--listen", "nonsense", cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("HOST:PORT", r.stderr)
        r = run("serve", "--threads", "0", cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        os.chmod(os.path.join(self.dir, "x.db.key"), 0o644)
        r = run("serve", "--listen", "127.0.0.1:1", cwd=self.dir, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("0600", r.stderr)

    def test_commands_other_than_init_never_create_a_database(self):
        for args in (["backup", "out.db"], ["token", "create", "admin"]):
            r = run(*args, cwd=self.dir)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn("no database", r.stderr)
        r = run("user", "add", "x.y", "--role", "viewer", "--org", "1", cwd=self.dir,
                stdin="Some-Password-1\n")
        self.assertIn("no database", r.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_qr(self):
        out = os.path.join(self.dir, "q.png")
        url = "http://127.0.0.1:8080/j/AbCdEf123"
        r = run("qr", url, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        z = subprocess.run(["zbarimg", "-q", "--raw", out], capture_output=True, text=True)
        self.assertEqual(z.stdout.strip(), url)
        svg = os.path.join(self.dir, "q.svg")
        self.assertEqual(run("qr", url, "--out", svg).returncode, 0)
        with open(svg) as f:
            self.assertTrue(f.read().startswith("<svg"))
        for args in (["qr", url], ["qr", url, "--out", "x.gif"], ["qr", "", "--out", out],
                     ["qr", url, "--out", out, "--scale", "0"], ["qr", "x" * 8000, "--out", out]):
            self.assertNotEqual(run(*args, cwd=self.dir).returncode, 0, args)


class CliWithServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True)

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def test_user_add_and_sign_in(self):
        r = self.s.cli("user", "add", "cli.fed", "--role", "federation", "--org", "110118100",
                       stdin=STAFF_PW + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        tok = self.s.login("cli.fed", STAFF_PW)
        me = self.s.request("GET", "/api/v1/auth/me", token=tok).json
        self.assertEqual((me["role"], me["org"]), ("federation", "110118100"))
        (row,) = self.s.query("SELECT login, addr FROM audit_log WHERE action='user.create' "
                              "AND object_id='cli.fed'")
        self.assertEqual(row, ("cli", "cli"))

    def test_user_add_refusals(self):
        cases = [
            (["bad login", "--role", "viewer", "--org", "110118"], STAFF_PW, "invalid_login"),
            (["u1", "--role", "king", "--org", "110118"], STAFF_PW, "invalid_role"),
            (["u1", "--role", "viewer", "--org", "nope"], STAFF_PW, "org_not_found"),
            (["u1", "--role", "viewer"], STAFF_PW, "missing_field"),
            (["u1", "--role", "viewer", "--org", "110118"], "short", "weak_password"),
            (["admin", "--role", "viewer", "--org", "110118"], STAFF_PW, "login_taken"),
        ]
        for args, pw, code in cases:
            before = self.s.snapshot()
            r = self.s.cli("user", "add", *args, stdin=pw + "\n")
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(code, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1)
            self.assertEqual(self.s.snapshot(), before)
        r = self.s.cli("user", "add", "u2", "--role", "viewer", "--org", "110118", stdin="")
        self.assertNotEqual(r.returncode, 0)

    def test_user_passwd(self):
        self.s.user("cli.pw", "viewer", "110118")
        old = self.s.login("cli.pw", STAFF_PW)
        script = self.s.token("cli.pw")
        r = self.s.cli("user", "passwd", "cli.pw", stdin="Another-Password-9\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s.login("cli.pw", "Another-Password-9")
        for tok in (old, script):
            self.assertEqual(self.s.request("GET", "/api/v1/auth/me", token=tok).status, 401,
                             "a new password ends old sessions and tokens")
        r = self.s.cli("user", "passwd", "nobody", stdin="Another-Password-9\n")
        self.assertIn("user_not_found", r.stderr)

    def test_token_create(self):
        r = self.s.cli("token", "create", "admin")
        self.assertEqual(r.returncode, 0)
        tok = r.stdout.strip()
        self.assertEqual(len(tok), 43)
        self.assertEqual(self.s.request("GET", "/api/v1/auth/me", token=tok).status, 200)
        r = self.s.cli("token", "create", "nobody")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("user_not_found", r.stderr)

    def test_backup_is_a_consistent_copy_while_serving(self):
        for i in range(5):
            self.s.request("POST", "/api/v1/orgs", {"code": "bk.%d" % i, "name": "备份%d" % i,
                                                    "level": "town", "parent": "110118"},
                           token=self.s.admin)
        dest = os.path.join(self.s.dir, "copy.db")
        r = self.s.cli("backup", dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        if PG:
            # A pg_dump archive: restore it into a new database and compare.
            name = self.s.pg_name + "_copy"
            url = PG.rsplit("/", 1)[0] + "/" + name
            subprocess.run(["psql", "-qAtX", "-c", "CREATE DATABASE " + name, PG], check=True,
                           capture_output=True)
            try:
                subprocess.run(["pg_restore", "--no-owner", "-d", url, dest], check=True,
                               capture_output=True)
                n = int(subprocess.run(["psql", "-qAtX", "-c", "SELECT count(*) FROM orgs", url],
                                       check=True, capture_output=True, text=True).stdout)
                self.assertEqual(n, self.s.count("orgs"))
            finally:
                subprocess.run(["psql", "-qAtX", "-c",
                                "DROP DATABASE %s WITH (FORCE)" % name, PG], capture_output=True)
            self.assertNotEqual(self.s.cli("backup", dest).returncode, 0)
            return
        con = sqlite3.connect(dest)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        n = con.execute("SELECT count(*) FROM orgs").fetchone()[0]
        con.close()
        self.assertEqual(n, self.s.count("orgs"))
        r = self.s.cli("backup", dest)
        self.assertNotEqual(r.returncode, 0, "refuses to overwrite")
        self.assertIn("exists", r.stderr)
        # The copy serves: start a server on it with the same key.
        env = {"UNIONBRIDGE_DB": "sqlite:" + dest,
               "UNIONBRIDGE_KEY_FILE": self.s.db_path + ".key"}
        r = self.s.cli("token", "create", "admin", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_the_database_holds_no_plaintext_password(self):
        data = self.s.raw_dump()
        self.assertIn("密云区总工会".encode(), data, "the dump is readable")
        self.assertNotIn(ADMIN_PW.encode(), data)
        self.assertNotIn(STAFF_PW.encode(), data)


if __name__ == "__main__":
    main()
