"""Two `serve` processes on one database behave as one: sessions, tokens,
rate limits and the invariants of concurrent writes hold across them.

Runs on whichever backend the suite runs on: two processes on one SQLite
file, or (UB_TEST_PG) two processes on one PostgreSQL database."""
import re
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from harness import ADMIN_PW, STAFF_PW, ServerTest, main


class ClusterTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.s.port
        cls.b = cls.s.start()

    def test_a_session_made_on_one_is_valid_on_the_other(self):
        tok = self.s.login("admin", ADMIN_PW, port=self.a)
        r = self.s.request("GET", "/api/v1/auth/me", token=tok, port=self.b)
        self.assertEqual((r.status, r.json["login"]), (200, "admin"))
        self.assertEqual(self.s.request("POST", "/api/v1/auth/logout", token=tok,
                                        port=self.b).status, 200)
        self.assertError(self.s.request("GET", "/api/v1/auth/me", token=tok, port=self.a), 401)

    def test_a_console_session_works_on_both(self):
        page = self.s.request("GET", "/login", port=self.a)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = self.s.request("POST", "/login", port=self.b, raw=urllib.parse.urlencode(
            {"login": "admin", "password": ADMIN_PW, "csrf": csrf}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": "ub_csrf=" + csrf})
        self.assertEqual(r.status, 303, r)
        cookie = r.header("Set-Cookie").split(";")[0]
        page = self.s.request("GET", "/console/orgs/110118", port=self.a,
                              headers={"Cookie": cookie})
        self.assertEqual(page.status, 200)
        self.assertIn("密云区总工会", page.text)

    def test_script_tokens_work_on_both(self):
        tok = self.s.token("admin")
        for port in (self.a, self.b):
            self.assertEqual(self.s.request("GET", "/api/v1/orgs/110118", token=tok,
                                            port=port).status, 200)

    def test_failed_logins_count_across_processes(self):
        self.s.user("cluster.lock", "viewer", "110118")
        for i in range(5):
            r = self.s.request("POST", "/api/v1/auth/login",
                               {"login": "cluster.lock", "password": "wrong-password"},
                               port=(self.a, self.b)[i % 2])
            self.assertError(r, 401)
        for port in (self.a, self.b):
            r = self.s.request("POST", "/api/v1/auth/login",
                               {"login": "cluster.lock", "password": STAFF_PW}, port=port)
            self.assertError(r, 429, "too_many_attempts")

    def test_concurrent_writes_keep_the_invariants(self):
        tok = self.s.admin
        audit_before = self.s.query("SELECT COALESCE(max(id), 0) FROM audit_log")[0][0]
        codes = ["cl.%03d" % i for i in range(60)]
        # Every code is tried twice on each process, all at once.
        attempts = [(c, port) for c in codes for port in (self.a, self.b, self.a, self.b)]

        def create(arg):
            code, port = arg
            r = self.s.request("POST", "/api/v1/orgs", {"code": code, "name": "并发" + code,
                                                        "level": "town", "parent": "110118"},
                               token=tok, port=port)
            return code, r.status, (r.json.get("error") or {}).get("code")

        with ThreadPoolExecutor(16) as ex:
            results = list(ex.map(create, attempts))
        created = [c for c, st, _ in results if st == 201]
        self.assertEqual(sorted(created), codes, "each code created exactly once")
        for c, st, err in results:
            self.assertIn(st, (201, 409), (c, st, err))
            if st == 409:
                self.assertEqual(err, "org_code_taken")
        rows = self.s.query("SELECT code FROM orgs WHERE code LIKE 'cl.%' ORDER BY code")
        self.assertEqual([r[0] for r in rows], codes)
        paths = self.s.query("SELECT count(DISTINCT path) AS d, count(*) AS n FROM orgs")[0]
        self.assertEqual(paths[0], paths[1], "paths stay unique")
        # The kept counters are exact after the race.
        for code in ("110118", "110000"):
            got = self.s.query("SELECT children, descendants, path, id FROM orgs WHERE code = ?",
                               code)[0]
            kids = self.s.query("SELECT count(*) FROM orgs WHERE parent_id = ?", got[3])[0][0]
            below = self.s.query("SELECT count(*) FROM orgs WHERE path LIKE ? AND path <> ?",
                                 got[2] + "%", got[2])[0][0]
            self.assertEqual((got[0], got[1]), (kids, below), code)
        audited = self.s.query("SELECT object_id FROM audit_log WHERE id > ? AND "
                               "action = 'org.create' ORDER BY object_id", audit_before)
        self.assertEqual([r[0] for r in audited], codes, "one audit entry per created org")

    def test_concurrent_employers_with_one_uscc(self):
        tok = self.s.admin

        def create(i):
            port = (self.a, self.b)[i % 2]
            return self.s.request("POST", "/api/v1/employers",
                                  {"name": "同码公司%d" % i, "uscc": "91310110666007217T",
                                   "headcount": 3, "org": "110118100"},
                                  token=tok, port=port).status

        with ThreadPoolExecutor(8) as ex:
            statuses = list(ex.map(create, range(16)))
        self.assertEqual(statuses.count(201), 1, statuses)
        self.assertEqual(statuses.count(409), 15, statuses)
        self.assertEqual(self.s.query("SELECT count(*) FROM employers WHERE uscc = ?",
                                      "91310110666007217T")[0][0], 1)


if __name__ == "__main__":
    main()
