"""Scan-to-join: QR codes, the join page, the join API, review, members,
privacy and durability."""
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from harness import (PG, Server, ServerTest, id_number, join_body, main, person, phone,
                     psql, uscc)


class JoinTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.s.join_token("110118")
        cls.viewer = cls.s.user("join.viewer", "viewer", "110118")

    def test_qr_png_decodes_to_the_join_url(self):
        r = self.s.request("GET", "/api/v1/orgs/110118/qr.png", token=self.s.admin)
        self.assertEqual((r.status, r.header("Content-Type")), (200, "image/png"))
        path = os.path.join(self.s.dir, "qr.png")
        with open(path, "wb") as f:
            f.write(r.body)
        z = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True)
        self.assertEqual(z.stdout.strip(), "http://127.0.0.1:%d/j/%s" % (self.s.port, self.token))
        big = self.s.request("GET", "/api/v1/orgs/110118/qr.png?scale=20", token=self.s.admin)
        self.assertGreater(len(big.body), len(r.body))
        svg = self.s.request("GET", "/api/v1/orgs/110118/qr.svg", token=self.s.admin)
        self.assertEqual(svg.header("Content-Type"), "image/svg+xml")
        self.assertTrue(svg.body.startswith(b"<svg"))
        self.assertError(self.s.request("GET", "/api/v1/orgs/nope/qr.png", token=self.s.admin),
                         404, "org_not_found")
        self.assertError(self.s.request("GET", "/api/v1/orgs/110118/qr.png?scale=0",
                                        token=self.s.admin), 400, "bad_query")

    def test_join_page_is_small_and_self_contained(self):
        r = self.s.request("GET", "/j/" + self.token)
        self.assertEqual(r.status, 200)
        html = r.text
        css = self.s.request("GET", "/static/join.css")
        self.assertLessEqual(len(r.body) + len(css.body), 30 * 1024)
        self.assertIn('<form method="post" action="/j/%s"' % self.token, html)
        for label in ("姓名", "身份证号", "手机号", "工作单位", "职工类别", "是否外地来京务工",
                      "快递员", "外卖送餐员", "个人信息告知", "密云区总工会"):
            self.assertIn(label, html)
        self.assertNotIn("<script", html)
        self.assertEqual(re.findall(r'(?:src|href)="(https?:)?//', html), [])
        self.assertEqual(self.s.request("GET", "/j/AAAAAAAAAAAA").status, 404)

    def test_join_page_shows_a_rename_at_once(self):
        # The page is kept rendered per token; a rename must not wait for it to expire.
        self.assertEqual(self.s.request("POST", "/api/v1/orgs",
                                        {"code": "j.ren", "name": "旧名工会", "level": "union",
                                         "parent": "110118"}, token=self.s.admin).status, 201)
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/j.ren/qr.svg",
                                        token=self.s.admin).status, 200)
        tok = self.s.join_token("j.ren")
        for _ in range(3):
            self.assertIn("旧名工会", self.s.request("GET", "/j/" + tok).text)
        r = self.s.request("PATCH", "/api/v1/orgs/j.ren", {"name": "新名工会"}, token=self.s.admin)
        self.assertEqual(r.status, 200)
        html = self.s.request("GET", "/j/" + tok).text
        self.assertIn("新名工会", html)
        self.assertNotIn("旧名工会", html)

    def form(self, fields):
        return self.s.request("POST", "/j/" + self.token,
                              raw=urllib.parse.urlencode(fields).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

    def test_join_page_shows_errors_next_to_the_field_and_keeps_input(self):
        bad = id_number(5)[:-1] + ("0" if id_number(5)[-1] != "0" else "1")
        before = self.s.snapshot()
        r = self.form({"name": "王<五>", "id_number": bad, "phone": phone(900), "category": "courier",
                       "migrant": "1", "consent": "1"})
        self.assertEqual(r.status, 422)
        html = r.text
        self.assertIn('class="f bad"', html)
        self.assertIn("身份证号校验位不正确", html)
        self.assertIn('value="王&lt;五&gt;"', html)
        self.assertIn('value="%s"' % phone(900), html)
        self.assertIn('value="courier" selected', html)
        self.assertUnchanged(before)
        r = self.form({"name": "王五", "id_number": person(901), "phone": phone(901),
                       "category": "courier"})
        self.assertEqual(r.status, 422)
        self.assertIn("请阅读并同意", r.text)

    def test_join_page_success(self):
        r = self.form({"name": "赵六", "id_number": person(902).lower(), "phone": "139 0000 0902",
                       "category": "food_delivery", "migrant": "1", "consent": "1",
                       "employer_name": "某外卖站"})
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertIn("入会申请已提交", r.text)
        cookie = r.header("Set-Cookie")
        self.assertTrue(cookie.startswith("ub_member=") and "HttpOnly" in cookie, cookie)
        (row,) = self.s.query("SELECT category, migrant, phone_mask, employer_name FROM "
                              "applications WHERE name = '赵六'")
        self.assertEqual(row, ("food_delivery", 1, "139****0902", "某外卖站"))

    def test_join_api_and_idempotency(self):
        h = {"Idempotency-Key": "k-100"}
        r = self.s.join(self.token, 100, headers=h)
        self.assertEqual(r.status, 201, r)
        b = r.json
        self.assertEqual((b["status"], b["org"]), ("pending", "110118"))
        self.assertEqual(len(b["access_token"]), 43)
        again = self.s.join(self.token, 100, headers=h)
        self.assertEqual((again.status, again.json), (201, b))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertError(self.s.join(self.token, 100), 409, "application_pending")
        self.assertError(self.s.join(self.token, 100, headers={"Idempotency-Key": "k-other"}),
                         409, "application_pending")
        n = self.s.query("SELECT count(*) FROM applications WHERE id_hash = "
                         "(SELECT id_hash FROM applications WHERE id = ?)", b["application_id"])
        self.assertEqual(n[0][0], 1)

    def test_concurrent_retries_make_one_application(self):
        # Eight tries of one join at once (its Idempotency-Key), five times.
        for n in range(5):
            h = {"Idempotency-Key": "k-race-%d" % n}
            with ThreadPoolExecutor(8) as ex:
                rs = list(ex.map(lambda _: self.s.join(self.token, 1150 + n, headers=h),
                                 range(8)))
            ids = {r.json["application_id"] for r in rs if r.status == 201}
            self.assertEqual(len(ids), 1, [(r.status, r.body[:80]) for r in rs])
            # Each retry, in a batch with the first or after it, gets its answer.
            self.assertEqual([r.status for r in rs], [201] * 8, [r.body[:80] for r in rs])
            self.assertEqual(sum(r.header("Idempotent-Replayed") == "true" for r in rs), 7)

    def test_refusals_change_nothing(self):
        good = person(200)
        wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        cases = [
            (dict(name=""), 422, "missing_field"),
            (dict(name="名" * 31), 422, "too_long"),
            (dict(id_number=""), 422, "missing_field"),
            (dict(id_number=wrong_check), 422, "id_checksum"),
            (dict(id_number=good[:-1]), 422, "id_length"),
            (dict(id_number="11011819900A01001X"), 422, "id_chars"),
            (dict(id_number=id_number(1, born="19900230")), 422, "id_date"),
            (dict(id_number=id_number(1, born="20990101")), 422, "id_date"),
            (dict(id_number=id_number(7, born="20150101")), 422, "too_young"),
            (dict(phone="12345"), 422, "invalid_phone"),
            (dict(phone="23900000000"), 422, "invalid_phone"),
            (dict(phone="1390000000x"), 422, "invalid_phone"),
            (dict(category="pilot"), 422, "invalid_category"),
            (dict(category=None), 422, "invalid_category"),
            (dict(consent_version="0"), 422, "consent_required"),
            (dict(consent_version=None), 422, "consent_required"),
            (dict(employer_uscc="91310110666007217X"), 422, "uscc_checksum"),
            (dict(migrant="yes"), 400, "bad_type"),
            (dict(name=5), 400, "bad_type"),
            (dict(extra=1), 400, "unknown_field"),
        ]
        for kw, status, code in cases:
            before = self.s.snapshot()
            r = self.s.request("POST", "/api/v1/join/" + self.token, join_body(200, **kw))
            self.assertError(r, status, code)
            if status == 422:
                self.assertTrue(r.json["error"].get("field"), r)
            self.assertUnchanged(before)
        before = self.s.snapshot()
        self.assertError(self.s.join("AAAAAAAAAAAA", 200), 404, "join_token_not_found")
        self.assertError(self.s.join("short", 200), 404, "join_token_not_found")
        self.assertUnchanged(before)

    def test_review_approve_reject(self):
        a = self.s.join(self.token, 300).json["application_id"]
        b = self.s.join(self.token, 301).json["application_id"]
        r = self.s.request("GET", "/api/v1/applications?org=110118&status=pending",
                           token=self.s.admin)
        ids = [x["id"] for x in r.json["items"]]
        self.assertIn(a, ids)
        one = [x for x in r.json["items"] if x["id"] == a][0]
        self.assertEqual(one["id_number"], person(300)[:6] + "********" + person(300)[-4:])
        self.assertEqual(one["phone"], phone(300)[:3] + "****" + phone(300)[-4:])
        self.assertNotIn(person(300), r.text)
        r = self.s.request("POST", "/api/v1/applications/%d/approve" % a, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        no = r.json["member_no"]
        self.assertRegex(no, r"^\d{12}$")
        self.assertError(self.s.request("POST", "/api/v1/applications/%d/approve" % a,
                                        token=self.s.admin), 409, "not_pending")
        self.assertError(self.s.join(self.token, 300), 409, "already_member")
        before = self.s.snapshot()
        self.assertError(self.s.request("POST", "/api/v1/applications/%d/reject" % b, {},
                                        token=self.s.admin), 422)
        self.assertError(self.s.request("POST", "/api/v1/applications/%d/approve" % b,
                                        token=self.viewer), 403, "forbidden")
        self.assertUnchanged(before)
        r = self.s.request("POST", "/api/v1/applications/%d/reject" % b,
                           {"reason": "非本辖区职工"}, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        g = self.s.request("GET", "/api/v1/applications/%d" % b, token=self.s.admin).json
        self.assertEqual((g["status"], g["reason"]), ("rejected", "非本辖区职工"))
        # A rejected worker may apply again.
        self.assertEqual(self.s.join(self.token, 301).status, 201)
        actions = [x for (x,) in self.s.query(
            "SELECT action FROM audit_log WHERE object_id IN (?, ?) AND object_type = "
            "'application' ORDER BY id", str(a), str(b))]
        self.assertEqual(actions, ["application.submit", "application.submit",
                                   "application.approve", "application.reject"])
        for path in ("/api/v1/applications/999999", "/api/v1/applications/x"):
            self.assertError(self.s.request("GET", path, token=self.s.admin), 404)
        self.assertError(self.s.request("GET", "/api/v1/applications?status=maybe",
                                        token=self.s.admin), 400, "bad_query")

    def test_bulk_approve(self):
        ids = [self.s.join(self.token, 400 + i).json["application_id"] for i in range(5)]
        self.s.request("POST", "/api/v1/applications/%d/reject" % ids[4], {"reason": "重复"},
                       token=self.s.admin)
        r = self.s.request("POST", "/api/v1/applications/approve",
                           {"ids": ids + [999999]}, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["id"] for x in r.json["approved"]], ids[:4])
        self.assertEqual(len({x["member_no"] for x in r.json["approved"]}), 4)
        self.assertEqual({x["id"]: x["error"] for x in r.json["refused"]},
                         {ids[4]: "not_pending", 999999: "application_not_found"})
        for body in ({"ids": []}, {"ids": "1"}, {"ids": ["a"]}, {}):
            self.assertError(self.s.request("POST", "/api/v1/applications/approve", body,
                                            token=self.s.admin), 400)

    def test_routing_to_the_employers_own_union(self):
        code = uscc(77)
        e = self.s.request("POST", "/api/v1/employers", {"name": "有工会的物流公司", "uscc": code,
                                                         "headcount": 80, "org": "110118100"},
                           token=self.s.admin).json["id"]
        u = self.s.request("POST", "/api/v1/orgs", {"code": "t.logunion", "name": "某物流公司工会",
                                                    "level": "union", "parent": "110118100"},
                           token=self.s.admin)
        self.assertEqual(u.status, 201, u)
        uid = self.s.query("SELECT id FROM orgs WHERE code = 't.logunion'")[0][0]
        # Founding (a later module) links the union to its employer.
        self.s.query("UPDATE employers SET union_org_id = ?, union_status = 'unionised' "
                     "WHERE id = ?", uid, e)
        r = self.s.join(self.token, 500, employer_uscc=code, employer_name="有工会的物流公司")
        self.assertEqual(r.json["org"], "t.logunion", r)
        r = self.s.join(self.token, 501, employer_name="有工会的物流公司")
        self.assertEqual(r.json["org"], "t.logunion", "by exact name when no USCC")
        r = self.s.join(self.token, 502, employer_name="没有工会的单位")
        self.assertEqual(r.json["org"], "110118")
        # A token of another town does not reach into 密云镇's unions.
        other = self.s.join_token("110118002")
        r = self.s.join(other, 503, employer_uscc=code)
        self.assertEqual(r.json["org"], "110118002")

    def test_members_masked_search_and_reveal(self):
        a = self.s.join(self.token, 600, name="孙悟空").json["application_id"]
        no = self.s.request("POST", "/api/v1/applications/%d/approve" % a,
                            token=self.s.admin).json["member_no"]
        m = self.s.request("GET", "/api/v1/members/" + no, token=self.s.admin)
        self.assertEqual(m.status, 200)
        self.assertEqual(m.json["id_number"], person(600)[:6] + "********" + person(600)[-4:])
        self.assertNotIn(person(600), m.text)
        self.assertNotIn(phone(600), m.text)
        for q in ("孙悟", no, phone(600)):
            r = self.s.request("GET", "/api/v1/members?org=110118&q=" + urllib.parse.quote(q),
                               token=self.s.admin)
            self.assertEqual([x["member_no"] for x in r.json["items"]], [no], q)
        self.assertError(self.s.request("POST", "/api/v1/members/%s/reveal" % no,
                                        token=self.viewer), 403, "forbidden")
        r = self.s.request("POST", "/api/v1/members/%s/reveal" % no, token=self.s.admin)
        self.assertEqual((r.json["id_number"], r.json["phone"]), (person(600), phone(600)))
        (row,) = self.s.query("SELECT action, login FROM audit_log WHERE action = "
                              "'member.reveal' AND object_id = ?", no)
        self.assertEqual(row, ("member.reveal", "admin"))
        self.assertError(self.s.request("GET", "/api/v1/members/000000000000",
                                        token=self.s.admin), 404, "member_not_found")

    def test_no_plaintext_personal_data_at_rest(self):
        self.s.join(self.token, 700)
        dump = self.s.raw_dump()
        self.assertIn("职工700".encode(), dump, "the dump is readable")
        self.assertNotIn(person(700).encode(), dump)
        self.assertNotIn(phone(700).encode(), dump)


class JoinLimitsTest(ServerTest):
    server_args = ("--join-rate", "3")

    def test_rate_limit_per_address(self):
        tok = self.s.join_token("110118")
        for i in range(3):
            self.assertEqual(self.s.join(tok, 800 + i).status, 201)
        before = self.s.snapshot()
        r = self.s.join(tok, 803)
        self.assertError(r, 429, "too_many_requests")
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertUnchanged(before)

    def test_auto_approve(self):
        # The limit above is per address and window: a fresh server.
        srv = Server(demo=True)
        try:
            fed = srv.user("aa.other", "federation", "110118002")
            self.assertError(srv.request("PATCH", "/api/v1/orgs/110118001",
                                         {"auto_approve": True}, token=fed), 403, "forbidden")
            self.assertError(srv.request("PATCH", "/api/v1/orgs/110118001",
                                         {"auto_approve": "yes"}, token=srv.admin), 400, "bad_type")
            self.assertError(srv.request("PATCH", "/api/v1/orgs/110118001", {},
                                         token=srv.admin), 422, "missing_field")
            r = srv.request("PATCH", "/api/v1/orgs/110118001", {"auto_approve": True},
                            token=srv.admin)
            self.assertEqual((r.status, r.json["auto_approve"]), (200, True))
            r = srv.join(srv.join_token("110118001"), 850)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json["status"], "approved")
            self.assertRegex(r.json["member_no"], r"^\d{12}$")
        finally:
            srv.cleanup()


class ConcurrentJoinTest(ServerTest):
    """The same people join several times at once through two serve
    processes, so that their joins meet in one batch's set and in
    transactions of both processes."""
    server_args = ("--join-rate", "0")

    def taps(self, token, first, people, taps):
        ports = [self.s.port, self.s.start(list(self.server_args))]
        with ThreadPoolExecutor(32) as ex:
            rs = list(ex.map(lambda k: (first + k // taps, self.s.request(
                "POST", "/api/v1/join/" + token, join_body(first + k // taps),
                port=ports[k % 2])), range(people * taps)))
        by_person = {}
        for i, r in rs:
            by_person.setdefault(i, []).append(
                r.json["status"] if r.status == 201 else "%d %s" % (r.status,
                                                                     r.json["error"]["code"]))
            if r.status == 201:
                # The answer names the row written for this very request:
                # its application, holding its personal token's digest.
                row = self.s.query("SELECT name, access_digest FROM applications WHERE id = ?",
                                   r.json["application_id"])
                digest = hashlib.blake2b(r.json["access_token"].encode(),
                                         digest_size=32).hexdigest()
                self.assertEqual(row, [("职工%d" % i, digest)])
        return by_person

    def recorded(self, first, people):
        """The one application of each person: (id, status)."""
        rows = [self.s.query("SELECT id, status FROM applications WHERE name = ?",
                             "职工%d" % (first + i)) for i in range(people)]
        self.assertTrue(all(len(r) == 1 for r in rows), rows)
        return [r[0] for r in rows]

    def submits(self, apps):
        """The submissions logged for apps, each checked to be its own
        application's: the person's masked ID, the receiving union and its
        district (they are written in one statement with the applications)."""
        rows = self.s.query(
            "SELECT count(*) FROM audit_log l JOIN applications a ON l.object_id = "
            "CAST(a.id AS TEXT) WHERE l.action = 'application.submit' "
            "AND l.login = 'worker:' || a.id_mask AND l.org_id = a.org_id "
            "AND l.district_id = a.district_id AND a.id IN (%s)" % ", ".join("?" * len(apps)),
            *[i for i, _ in apps])
        total = self.s.query("SELECT count(*) FROM audit_log WHERE action = 'application.submit' "
                             "AND object_id IN (%s)" % ", ".join("?" * len(apps)),
                             *[str(i) for i, _ in apps])
        self.assertEqual(rows[0][0], total[0][0])
        return total[0][0]

    def test_one_application_per_person(self):
        first, people, taps = 400000, 40, 4
        by_person = self.taps(self.s.join_token("110118"), first, people, taps)
        for i, got in by_person.items():
            self.assertEqual(sorted(got), ["409 application_pending"] * (taps - 1) + ["pending"])
        apps = self.recorded(first, people)
        self.assertEqual({st for _, st in apps}, {"pending"})
        self.assertEqual(self.submits(apps), people)

    def test_auto_approved_once(self):
        self.s.request("PATCH", "/api/v1/orgs/110118003", {"auto_approve": True},
                       token=self.s.admin)
        first, people, taps = 500000, 30, 4
        by_person = self.taps(self.s.join_token("110118003"), first, people, taps)
        for i, got in by_person.items():
            self.assertEqual(got.count("approved"), 1, got)
            self.assertTrue(all(g == "approved" or g in ("409 application_pending",
                                                         "409 already_member") for g in got), got)
        apps = self.recorded(first, people)
        self.assertEqual({st for _, st in apps}, {"approved"})
        self.assertEqual(self.submits(apps), people)
        n = self.s.query("SELECT count(*) FROM members m JOIN orgs o ON o.id = m.org_id "
                         "WHERE o.code = '110118003' AND m.name LIKE '职工5%'")
        self.assertEqual(n[0][0], people)


class RateLimitStormTest(ServerTest):
    """Joins from one address at once, through two processes, meeting in
    batches: the limit lets exactly its number through."""
    server_args = ("--join-rate", "25")

    def test_exactly_the_limit_gets_through(self):
        tok = self.s.join_token("110118")
        ports = [self.s.port, self.s.start(list(self.server_args))]
        with ThreadPoolExecutor(48) as ex:
            rs = list(ex.map(lambda i: self.s.request("POST", "/api/v1/join/" + tok,
                                                      join_body(600000 + i),
                                                      port=ports[i % 2]), range(80)))
        statuses = sorted(r.status for r in rs)
        self.assertEqual(statuses, [201] * 25 + [429] * 55)
        self.assertTrue(all(r.json["error"]["code"] == "too_many_requests"
                            for r in rs if r.status == 429))
        n = self.s.query("SELECT count(*) FROM applications WHERE name LIKE '职工6%'")
        self.assertEqual(n[0][0], 25)


class DurabilityTest(ServerTest):

    def test_every_acknowledged_join_survives_kill_9(self):
        tok = self.s.join_token("110118")
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def worker(base):
            i = base
            while not stop.is_set():
                try:
                    r = self.s.join(tok, i)
                except OSError:
                    return
                if r.status == 201:
                    with lock:
                        acked.append(r.json["application_id"])
                elif r.status == 0:
                    return
                i += 8
        threads = [threading.Thread(target=worker, args=(10000 + k,)) for k in range(8)]
        for t in threads:
            t.start()
        while len(acked) < 40:
            time.sleep(0.01)
        self.s.proc.send_signal(signal.SIGKILL)
        self.s.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        self.s.proc = None
        self.s.start()
        got = {r[0] for r in self.s.query("SELECT id FROM applications")}
        self.assertEqual(set(acked) - got, set(), "acknowledged but lost")


class LostConnectionTest(ServerTest):

    def test_joins_go_on_after_the_database_drops_its_connections(self):
        if not self.s.pg_name:
            self.skipTest("PostgreSQL only: an SQLite connection does not break")
        tok = self.s.join_token("110118")
        self.assertEqual(self.s.join(tok, 30001).status, 201)
        # Every connection of the server's, the batch writers' among them.
        psql(PG, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = '%s'" % self.s.pg_name)
        # Each writer may fail the batch it was running on a dead connection,
        # once; it then connects again.
        statuses = [self.s.join(tok, 30002 + k).status for k in range(6)]
        self.assertEqual(set(statuses) - {201, 503}, set(), statuses)
        self.assertEqual(statuses[-2:], [201, 201], statuses)


if __name__ == "__main__":
    main()
