"""Black-box test harness: runs the built `unionbridge` binary on a private
database and a free loopback port, and talks to it over HTTP like a client.

The binary comes from $UNIONBRIDGE_BIN (meson sets it).  Standard library
only, so the tests run on a bare Debian machine.
"""
import datetime
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid
import zoneinfo

BIN = os.environ.get("UNIONBRIDGE_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "unionbridge")
ADMIN_PW = "Test-Admin-Password-1"
# When set (postgresql://USER@HOST:PORT/DB of a server we may create
# databases on), every Server runs on its own fresh PostgreSQL database.
PG = os.environ.get("UB_TEST_PG")
# A command to run serve under, e.g. "valgrind --error-exitcode=99 -q".
WRAP = os.environ.get("UB_TEST_WRAP", "").split()
STAFF_PW = "Staff-Password-2026"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql(url, sql):
    subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql, url],
                   check=True, capture_output=True, text=True)


def _quote(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def psql_rows(url, sql, args):
    """Runs a query through psql; '?' placeholders take quoted args.  The
    rows travel as JSON, so types come back as they are (NULL is None)."""
    parts = sql.split("?")
    assert len(parts) == len(args) + 1, "placeholder count"
    text = parts[0] + "".join(_quote(a) + p for a, p in zip(args, parts[1:]))
    if text.lstrip().upper().startswith("SELECT"):
        text = "SELECT COALESCE(json_agg(q), '[]') FROM (%s) q" % text
        out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", text, url],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(r.values()) for r in json.loads(out)]
    psql(url, text)
    return []


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all_headers(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8")

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:200])


def multipart(fields, files):
    """(body, content type) of a multipart/form-data form as a browser
    sends it: fields {name: text}, files {name: (file name, bytes)}."""
    b = "----ubform" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                   % (b, name, value)).encode())
    for name, (fname, data) in files.items():
        out.write(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                   'Content-Type: text/csv\r\n\r\n' % (b, name, fname)).encode())
        out.write(data + b"\r\n")
    out.write(("--%s--\r\n" % b).encode())
    return out.getvalue(), "multipart/form-data; boundary=" + b


class Console:
    """A signed-in console session: GET pages, POST forms (with its CSRF
    token unless the fields give one)."""

    def __init__(self, server, cookie, csrf):
        self.s, self.cookie, self.csrf = server, cookie, csrf

    def page(self, path):
        return self.s.request("GET", path, headers={"Cookie": self.cookie})

    def form(self, path, fields):
        fields = dict({"csrf": self.csrf}, **fields)
        return self.s.request("POST", path, raw=urllib.parse.urlencode(fields, doseq=True).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Cookie": self.cookie})


class Server:
    """One database and one serve process.  Use as a context or call stop()."""

    def __init__(self, demo=True, extra_args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="ub-test-")
        self.db_path = os.path.join(self.dir, "ub.db")
        self.db = "sqlite:" + self.db_path
        self.pg_name = None
        if PG:
            self.pg_name = "ub_" + os.urandom(6).hex()
            psql(PG, "CREATE DATABASE " + self.pg_name)
            self.db = PG.rsplit("/", 1)[0] + "/" + self.pg_name
        self.env = dict(os.environ, UNIONBRIDGE_DB=self.db,
                        UNIONBRIDGE_ADMIN_PASSWORD=ADMIN_PW, TZ="Asia/Shanghai")
        if env:
            self.env.update(env)
        self.proc = None
        self.others = []
        self.log = None
        r = self.cli("init", *(["--demo"] if demo else []))
        if r.returncode != 0:
            raise RuntimeError("init failed: " + r.stderr)
        self.start(extra_args)
        self._admin = None

    def cli(self, *args, stdin=None, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        return subprocess.run([BIN, *args], cwd=self.dir, env=e, input=stdin,
                              text=True, capture_output=True, timeout=120)

    def start(self, extra_args=()):
        """Starts serve on a free port; returns the port.  A second call
        starts a second process on the same database (the first stays the
        default for request())."""
        port = free_port()
        if not self.log:
            self.log = open(os.path.join(self.dir, "serve.log"), "a")
        proc = subprocess.Popen(
            WRAP + [BIN, "serve", "--listen", "127.0.0.1:%d" % port, "--threads", "4",
             *extra_args], cwd=self.dir, env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT)
        self.others.append((proc, port)) if self.proc else None
        if not self.proc:
            self.proc, self.port = proc, port
        deadline = time.time() + (120 if WRAP else 20)
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("serve exited: " + self.read_log())
            try:
                if self.request("GET", "/healthz", port=port).status == 200:
                    return port
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("serve did not start")

    def read_log(self):
        with open(os.path.join(self.dir, "serve.log")) as f:
            return f.read()

    def stop(self):
        """Stops serve with SIGTERM; raises if it did not exit cleanly or a
        sanitizer complained (leaks are reported at exit)."""
        codes = []
        for proc in [self.proc] + [p for p, _ in self.others]:
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    codes.append(proc.wait(30))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    codes.append("hung")
            elif proc:
                codes.append(proc.returncode)
        code = next((c for c in codes if c != 0), 0)
        self.proc = None
        self.others = []
        if self.log:
            self.log.close()
            self.log = None
        log = self.read_log()
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                    "definitely lost", "Invalid read", "Invalid write", "uninitialised",
                    "a statement was left open"):
            if bad in log:
                raise AssertionError("serve reported %s:\n%s" % (bad, log[-3000:]))
        if code != 0:
            raise AssertionError("serve exited with %s:\n%s" % (code, log[-2000:]))

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            if self.pg_name:
                psql(PG, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pg_name)

    # ---- HTTP --------------------------------------------------------------

    def request(self, method, path, body=None, token=None, headers=None,
                conn=None, raw=None, port=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            if own:
                c.close()

    def login(self, login, password, port=None):
        r = self.request("POST", "/api/v1/auth/login",
                         {"login": login, "password": password}, port=port)
        if r.status != 200:
            raise AssertionError("login %s: %r" % (login, r))
        return r.json["token"]

    def console(self, login, password):
        """Signs in through the console's form; returns a Console (its
        session cookie and CSRF token) for driving pages as a browser
        without scripts does."""
        page = self.request("GET", "/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = self.request("POST", "/login", raw=urllib.parse.urlencode(
            {"login": login, "password": password, "csrf": csrf}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": "ub_csrf=" + csrf})
        if r.status != 303:
            raise AssertionError("console sign-in %s: %r" % (login, r))
        cookie = [v for v in r.all_headers("Set-Cookie")
                  if v.startswith("ub_session=")][0].split(";")[0]
        home = self.request("GET", "/console/events", headers={"Cookie": cookie})
        return Console(self, cookie,
                       re.search(r'name="csrf" value="([^"]+)"', home.text).group(1))

    @property
    def admin(self):
        """A script token for admin (no password hashing per test)."""
        if not self._admin:
            self._admin = self.token("admin")
        return self._admin

    def token(self, login):
        r = self.cli("token", "create", login)
        if r.returncode != 0:
            raise AssertionError("token create: " + r.stderr)
        return r.stdout.strip()

    def user(self, login, role, org):
        """Creates a staff account and returns a script token for it."""
        r = self.cli("user", "add", login, "--role", role, "--org", org,
                     stdin=STAFF_PW + "\n")
        if r.returncode != 0:
            raise AssertionError("user add: " + r.stderr)
        return self.token(login)

    # ---- Looking at the database directly ----------------------------------

    def query(self, sql, *args):
        """Rows of a query run directly on the database (? placeholders)."""
        if self.pg_name:
            return psql_rows(self.db, sql, args)
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            rows = con.execute(sql, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def count(self, table):
        return self.query("SELECT count(*) FROM " + table)[0][0]

    def tables(self):
        if self.pg_name:
            return [r[0] for r in self.query(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY 1")]
        return [r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]

    def join_token(self, org_code):
        """The join token of an org, as its QR code carries it."""
        return self.query("SELECT t.token FROM join_tokens t JOIN orgs o ON o.id = t.org_id "
                          "WHERE o.code = ? AND t.event_id IS NULL", org_code)[0][0]

    def join(self, token, i, headers=None, **kw):
        return self.request("POST", "/api/v1/join/" + token, join_body(i, **kw),
                            headers=headers)

    def snapshot(self):
        """Row counts of every table, to prove a refused request changed nothing
        (in one query: on PostgreSQL every query is a psql run)."""
        tables = [t for t in self.tables() if t != "rate_limits"]
        row = self.query("SELECT " + ", ".join("(SELECT count(*) FROM %s)" % t
                                                for t in tables))[0]
        return dict(zip(tables, (int(n) for n in row)))

    def raw_dump(self):
        """Every byte the database holds, for proving what is not in it."""
        if self.pg_name:
            return subprocess.run(["pg_dump", "--data-only", self.db], capture_output=True,
                                  check=True).stdout
        data = b""
        for path in (self.db_path, self.db_path + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data += f.read()
        return data


# ---- Valid test identities (computed here, independently of the server) ----

_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(seq, born="19900101", region="110118"):
    """A valid resident ID number (GB 11643) with sequence seq (0..999)."""
    body = "%s%s%03d" % (region, born, seq % 1000)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def person(i):
    """The i-th distinct valid ID number."""
    return id_number(i % 1000, born="%04d01%02d" % (1970 + (i // 1000) % 30,
                                                   1 + (i // 30000) % 28))


_USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n, prefix="91110118"):
    """A valid unified social credit code (GB 32100) numbered n, computed
    independently of the server; prefix "81…" for a union's own code."""
    body = prefix + "%0*d" % (17 - len(prefix), n)
    s = sum(_USCC_ALPHA.index(c) * w for c, w in zip(body, _USCC_W))
    return body + _USCC_ALPHA[(31 - s % 31) % 31]


def server_today():
    """Today in the server's zone (the tests run it in Asia/Shanghai)."""
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()


def luhn(body):
    """body with its bank-card (Luhn) check digit."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def phone(i):
    return "139%08d" % i


def join_body(i, **kw):
    b = {"name": "职工%d" % i, "id_number": person(i), "phone": phone(i),
         "employer_name": "", "employer_uscc": "", "category": "courier",
         "migrant": False, "consent_version": "1"}
    b.update(kw)
    return b


class ServerTest(unittest.TestCase):
    """A test case sharing one demo server across its tests."""
    demo = True
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=cls.demo, extra_args=cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def assertError(self, r, status, code=None):
        """r is a JSON error with this status (and code)."""
        self.assertEqual(r.status, status, r)
        self.assertIn("json", r.header("Content-Type") or "", r)
        err = r.json.get("error")
        self.assertIsInstance(err, dict, r)
        self.assertTrue(err.get("message"), r)
        if code:
            self.assertEqual(err.get("code"), code, r)

    def assertUnchanged(self, before):
        self.assertEqual(self.s.snapshot(), before)


def main():
    """Runs the module's tests and ends with the suite's summary line."""
    import __main__
    suite = unittest.defaultTestLoader.loadTestsFromModule(__main__)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    raise SystemExit(0 if result.wasSuccessful() else 1)
