"""The summary report: the seed's half-year built through the public API
comes back as exactly its numbers (JSON, XLSX, CSV, CLI), and the kept
counters stay exact as records change (checked against a recount from the
records and against `unionbridge stats rebuild`)."""
import csv
import datetime
import io
import json
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

from harness import ADMIN_PW, Server, ServerTest, id_number, luhn, main, server_today, uscc

TOWNS = ["110118%03d" % i for i in range(1, 11)]


def days_ago(n):
    """A date n days back, in the server's zone (Asia/Shanghai)."""
    return (server_today() - datetime.timedelta(days=n)).isoformat()


class SeedHalfYearTest(ServerTest):
    """94 activities (90 worker, 4 enterprise meetings), 747 members joined
    through QR codes, 10 unions founded (one with 100+ staff), 18 cards and
    150 leaflets at one event: the report says exactly that."""
    demo = False
    server_args = ("--join-rate", "0")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.FROM, cls.TO = days_ago(150), days_ago(0)

        def post(path, body):
            r = s.request("POST", path, body, token=s.admin)
            assert r.status in (200, 201), (path, r)
            return r.json
        post("/api/v1/orgs", {"code": "110118", "name": "密云区总工会", "level": "district"})
        for i, t in enumerate(TOWNS):
            post("/api/v1/orgs", {"code": t, "name": "测试镇%d总工会" % i, "level": "town",
                                  "parent": "110118"})
        # 90 worker meetings and 4 enterprise meetings in the period; one
        # more cancelled, one before the period: neither counts.
        cls.events = []
        for i in range(94):
            kind = "enterprise_meeting" if i < 4 else "worker_meeting"
            ev = post("/api/v1/events", {"type": kind, "org": TOWNS[i % 10], "venue": "场地%d" % i,
                                         "starts_at": days_ago(140 - i) + "T10:00:00+08:00"})
            cls.events.append(ev)
        gone = post("/api/v1/events", {"type": "worker_meeting", "org": TOWNS[0], "venue": "取消",
                                       "starts_at": days_ago(10) + "T10:00:00+08:00"})
        r = s.request("PATCH", "/api/v1/events/%d" % gone["id"], {"status": "cancelled"},
                      token=s.admin)
        assert r.status == 200, r
        post("/api/v1/events", {"type": "worker_meeting", "org": TOWNS[0], "venue": "期前",
                                "starts_at": days_ago(200) + "T10:00:00+08:00"})
        # 150 leaflets and 18 cards at one stall.
        busy = cls.events[10]["id"]
        post("/api/v1/events/%d/tallies" % busy,
             {"materials": {"入会宝典": 100, "建会秘籍": 50}, "cards_issued": 18})
        # 747 workers join through event QR codes and are approved; 5 more
        # stay pending and 3 are rejected.
        tokens = [s.query("SELECT token FROM join_tokens WHERE event_id = ?", e["id"])[0][0]
                  for e in cls.events[4:24]]

        def join(i):
            r = s.join(tokens[i % len(tokens)], 100000 + i)
            assert r.status == 201, r
            return r.json["application_id"]
        with ThreadPoolExecutor(8) as ex:
            apps = list(ex.map(join, range(755)))
        for k in range(0, 747, 100):
            r = s.request("POST", "/api/v1/applications/approve", {"ids": apps[k:min(k + 100, 747)]},
                          token=s.admin)
            assert r.status == 200 and not r.json["refused"], r
        for app in apps[747:750]:
            r = s.request("POST", "/api/v1/applications/%d/reject" % app, {"reason": "重复"},
                          token=s.admin)
            assert r.status == 200, r
        # 10 unions founded, one at an employer of 120; one more case stops
        # short of approval.
        for i in range(11):
            e = post("/api/v1/employers", {"name": "企业%d" % i, "uscc": uscc(500 + i),
                                           "headcount": 120 if i == 0 else 40,
                                           "org": TOWNS[i % 10]})
            case = post("/api/v1/foundings", {"employer_id": e["id"], "guide_org": TOWNS[i % 10]})
            members = 110 if i == 0 else 30
            steps = [("contacted", {}), ("requested", {}),
                     ("prep_group_approved", {"prep_group_size": 3}),
                     ("recruiting", {"members": members})]
            if i == 0:
                steps.append(("reps_elected", {"representatives": 30}))
                steps.append(("congress_held", {"congress_type": "workers_congress",
                                                "attendance": 25}))
                steps.append(("committee_elected", {"committee_size": 5, "chair_name": "王芳"}))
            else:
                steps.append(("congress_held", {"congress_type": "member_assembly",
                                                "attendance": 20}))
                steps.append(("committee_elected", {"committee_size": 3, "chair_name": "李四"}))
            if i < 10:
                steps.append(("election_approved", {"document_no": "密工发%d号" % i,
                                                     "term_years": 5}))
            for k, (name, facts) in enumerate(steps):
                post("/api/v1/foundings/%d/steps" % case["id"],
                     dict(facts, step=name, date=days_ago(100 - k)))

    def summary(self, **q):
        q = dict({"org": "110118", "from": self.FROM, "to": self.TO}, **q)
        r = self.s.request("GET", "/api/v1/reports/summary?" + "&".join(
            "%s=%s" % kv for kv in q.items()), token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        return r

    def test_the_report_says_the_seeds_numbers(self):
        j = self.summary().json
        self.assertEqual(j["activities"], {"total": 94, "worker_meetings": 90,
                                           "enterprise_meetings": 4})
        self.assertEqual(j["members_joined"], {"total": 747, "via_qr": 747, "onsite": 0,
                                               "import": 0})
        self.assertEqual(j["unions_founded"], {"total": 10, "headcount_100_plus": 1})
        self.assertEqual(j["cards_issued"], 18)
        self.assertEqual(j["materials"], {"total": 150, "by_title": {"入会宝典": 100,
                                                                     "建会秘籍": 50}})
        self.assertEqual(j["questions"], {"total": 0, "by_topic": {}})
        self.assertEqual(j["members_by_category"], {"courier": 747})
        self.assertEqual((j["org"], j["from"], j["to"]), ("110118", self.FROM, self.TO))
        # One row per child, adding up to the whole.
        self.assertEqual([o["org"] for o in j["by_org"]], TOWNS)
        for key, sub in (("activities", "total"), ("members_joined", "total"),
                         ("unions_founded", "total")):
            self.assertEqual(sum(o[key][sub] for o in j["by_org"]), j[key][sub], key)
        self.assertEqual(sum(o["cards_issued"] for o in j["by_org"]), 18)
        self.assertEqual(j["by_org"][0]["activities"]["enterprise_meetings"], 1)
        # A town's own report covers its subtree only.
        t = self.summary(org=TOWNS[5]).json        # events 5, 15, … 85
        self.assertEqual(t["activities"]["total"], 9)
        self.assertEqual(t["unions_founded"]["total"], 1)
        # A period before anything happened is all zeros.
        z = self.summary(**{"from": days_ago(400), "to": days_ago(300)}).json
        self.assertEqual(z["activities"]["total"], 0)
        self.assertEqual(z["members_joined"]["total"], 0)

    def test_the_months_add_up(self):
        r = self.s.request("GET", "/api/v1/reports/months?org=110118&from=%s&to=%s"
                           % (self.FROM, self.TO), token=self.s.admin)
        months = r.json["months"]
        self.assertEqual(months[0]["month"], self.FROM[:7])
        self.assertEqual(months[-1]["month"], self.TO[:7])
        self.assertEqual(sum(m["activities"]["total"] for m in months), 94)
        self.assertEqual(sum(m["members_joined"]["total"] for m in months), 747)
        self.assertEqual(sum(m["unions_founded"]["total"] for m in months), 10)

    def test_the_same_numbers_in_xlsx_csv_and_the_cli(self):
        s = self.s
        r = self.summary(format="xlsx")
        self.assertIn("spreadsheetml", r.header("Content-Type"))
        z = zipfile.ZipFile(io.BytesIO(r.body))
        names = z.namelist()
        self.assertIn("xl/worksheets/sheet1.xml", names)
        self.assertIn("xl/worksheets/sheet2.xml", names)
        book = z.read("xl/workbook.xml").decode()
        self.assertIn('name="汇总"', book)
        self.assertIn('name="下级组织"', book)
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
        cells = {}
        for ref, attrs, body in re.findall(r'<c r="([A-Z]+\d+)"([^>]*)>(.*?)</c>', sheet1):
            v = re.search(r"<v>([^<]*)</v>", body)
            if v:
                cells[ref] = strings[int(v.group(1))] if 't="s"' in attrs else v.group(1)
        rows = {cells.get("A%d" % i, "").strip(): cells.get("B%d" % i) for i in range(1, 40)}
        self.assertEqual(rows["双沟通活动（场）"], "94")
        self.assertEqual(rows["其中：职工沟通会"], "90")
        self.assertEqual(rows["企业沟通会"], "4")
        self.assertEqual(rows["新入会会员（人）"], "747")
        self.assertEqual(rows["其中：扫码入会"], "747")
        self.assertEqual(rows["新建工会（家）"], "10")
        self.assertEqual(rows["其中：百人以上企业"], "1")
        self.assertEqual(rows["发放互助服务卡（张）"], "18")
        self.assertEqual(rows["发放宣传资料（份）"], "150")
        sheet2 = z.read("xl/worksheets/sheet2.xml").decode()
        self.assertIn("<mergeCell ", sheet2)                    # grouped headers
        self.assertIn("<cols>", sheet2)                         # widths set

        r = self.summary(format="csv")
        table = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        head = table[0]
        self.assertEqual(table[1][head.index("活动合计")], "94")
        self.assertEqual(table[1][head.index("扫码入会")], "747")
        self.assertEqual(table[1][head.index("百人以上")], "1")
        self.assertEqual(len(table), 2 + len(TOWNS))

        out = os.path.join(s.dir, "r.xlsx")
        c = s.cli("report", "--org", "110118", "--from", self.FROM, "--to", self.TO,
                  "--format", "xlsx", "--out", out)
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertTrue(zipfile.is_zipfile(out))
        c = s.cli("report", "--org", "110118", "--from", self.FROM, "--to", self.TO)
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertEqual(json.loads(c.stdout), self.summary().json)

    def test_refusals(self):
        s = self.s
        for q, status, code in (("org=110118&from=2025-01-01", 400, "bad_query"),
                                ("org=110118&from=2025-02-30&to=2025-03-01", 400, "invalid_date"),
                                ("org=110118&from=2025-03-01&to=2025-02-01", 400,
                                 "invalid_period"),
                                ("org=110118&from=2000-01-01&to=2025-01-01", 400,
                                 "invalid_period"),
                                ("org=nope&from=2025-01-01&to=2025-02-01", 404, "org_not_found"),
                                ("from=2025-01-01&to=2025-02-01", 400, "bad_query"),
                                ("org=110118&from=2025-01-01&to=2025-02-01&format=pdf", 400,
                                 "bad_query")):
            self.assertError(s.request("GET", "/api/v1/reports/summary?" + q, token=s.admin),
                             status, code)
        town = s.user("rep.town", "federation", TOWNS[0])
        self.assertError(s.request("GET", "/api/v1/reports/summary?org=110118&from=2025-01-01"
                                   "&to=2025-02-01", token=town), 403, "forbidden")
        r = s.request("GET", "/api/v1/reports/summary?from=%s&to=%s" % (self.FROM, self.TO),
                      token=town)
        self.assertEqual(r.json["org"], TOWNS[0])               # one's own org by default
        for args in (["report", "--org", "110118"],
                     ["report", "--org", "110118", "--from", "x", "--to", "y"],
                     ["report", "--org", "110118", "--from", self.FROM, "--to", self.TO,
                      "--format", "xlsx"]):
            c = s.cli(*args)
            self.assertNotEqual(c.returncode, 0, args)
            self.assertEqual(len(c.stderr.strip().splitlines()), 1, c.stderr)


class CountersStayExactTest(ServerTest):
    """Records change in every way the counters care about; the report
    always equals a recount made here from the records, and `stats rebuild`
    finds nothing to correct."""
    server_args = ("--join-rate", "0")

    def recount(self, org_path, frm, to):
        """The summary's main figures counted from the records themselves."""
        q = self.s.query
        like = org_path + "%"
        acts = dict(q("SELECT e.type, count(*) FROM events e JOIN orgs o ON o.id = e.org_id "
                      "WHERE o.path LIKE ? AND e.status <> 'cancelled' AND e.starts_on >= ? "
                      "AND e.starts_on <= ? GROUP BY e.type", like, frm, to))
        joined = dict(q("SELECT m.channel, count(*) FROM members m JOIN orgs o ON o.id = "
                        "COALESCE((SELECT t.from_org_id FROM transfers t WHERE t.member_id = m.id "
                        "AND t.status = 'accepted' ORDER BY t.id LIMIT 1), m.org_id) "
                        "WHERE o.path LIKE ? AND m.joined_on >= ? AND m.joined_on <= ? "
                        "GROUP BY m.channel", like, frm, to))
        tallies = dict(q("SELECT t.kind || ':' || t.label, sum(t.n) FROM event_tallies t "
                         "JOIN events e ON e.id = t.event_id JOIN orgs o ON o.id = e.org_id "
                         "WHERE o.path LIKE ? AND e.starts_on >= ? AND e.starts_on <= ? "
                         "GROUP BY t.kind, t.label", like, frm, to))
        loose = q("SELECT count(*) FROM cards c JOIN orgs o ON o.id = c.org_id "
                  "WHERE c.event_id IS NULL AND o.path LIKE ? AND c.issued_on >= ? "
                  "AND c.issued_on <= ?", like, frm, to)[0][0]
        founded = q("SELECT count(*) FROM founding_cases f JOIN orgs o ON o.id = f.guide_org_id "
                    "WHERE o.path LIKE ? AND f.founded_on >= ? AND f.founded_on <= ?",
                    like, frm, to)[0][0]
        return {
            "activities": sum(acts.values()), "worker": acts.get("worker_meeting", 0),
            "joined": sum(joined.values()), "qr": joined.get("qr", 0),
            "import": joined.get("import", 0),
            "leaflets": sum(v for k, v in tallies.items() if k.startswith("material:")),
            "cards": tallies.get("cards:", 0) + loose, "founded": founded,
        }

    def reported(self, org, frm, to):
        j = self.s.request("GET", "/api/v1/reports/summary?org=%s&from=%s&to=%s" % (org, frm, to),
                           token=self.s.admin).json
        return {
            "activities": j["activities"]["total"], "worker": j["activities"]["worker_meetings"],
            "joined": j["members_joined"]["total"], "qr": j["members_joined"]["via_qr"],
            "import": j["members_joined"]["import"],
            "leaflets": j["materials"]["total"], "cards": j["cards_issued"],
            "founded": j["unions_founded"]["total"],
        }

    def assertExact(self):
        s = self.s
        today = days_ago(0)
        for org in ("110000", "110118", "110118001", "110118002", "110118100"):
            path = s.query("SELECT path FROM orgs WHERE code = ?", org)[0][0]
            # Whole months read month rows, the days around them day rows:
            # periods that start and end on every kind of day.
            for frm, to in (("2025-01-01", today), ("2025-05-27", "2025-05-27"),
                            (days_ago(3), today), ("2024-01-01", "2024-12-31"),
                            ("2025-04-15", "2025-06-10"), ("2025-05-01", "2025-05-31"),
                            ("2025-05-02", "2025-05-30"), (days_ago(40), days_ago(2))):
                self.assertEqual(self.reported(org, frm, to), self.recount(path, frm, to),
                                 (org, frm, to))
        c = s.cli("stats", "rebuild")
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertEqual(c.stdout.strip(), "counters rebuilt: unchanged")

    def test_counters_follow_every_change(self):
        s = self.s
        self.assertExact()                                      # the demo data
        a = s.admin
        ev = s.request("POST", "/api/v1/events",
                       {"type": "worker_meeting", "org": "110118001", "venue": "变动测试",
                        "starts_at": "2025-05-27T10:00:00+08:00"}, token=a).json
        s.request("POST", "/api/v1/events/%d/tallies" % ev["id"],
                  {"materials": {"入会宝典": 7}, "cards_issued": 3}, token=a)
        s.request("POST", "/api/v1/events/%d/tallies" % ev["id"],
                  {"materials": {"入会宝典": -2}}, token=a)
        self.assertExact()
        # The event moves to another day, its tallies with it.
        r = s.request("PATCH", "/api/v1/events/%d" % ev["id"],
                      {"starts_at": days_ago(1) + "T10:00:00+08:00"}, token=a)
        self.assertEqual(r.status, 200, r)
        self.assertExact()
        # A planned event cancelled.
        p = s.request("POST", "/api/v1/events",
                      {"type": "enterprise_meeting", "org": "110118002", "venue": "取消",
                       "starts_at": days_ago(2) + "T10:00:00+08:00"}, token=a).json
        self.assertExact()
        s.request("PATCH", "/api/v1/events/%d" % p["id"], {"status": "cancelled"}, token=a)
        self.assertExact()
        # Joins approved, one rejected, one moved to another union.
        tok = s.query("SELECT token FROM join_tokens WHERE event_id = ?", ev["id"])[0][0]
        apps = [s.join(tok, 200000 + i).json["application_id"] for i in range(6)]
        s.request("POST", "/api/v1/applications/approve", {"ids": apps[:5]}, token=a)
        s.request("POST", "/api/v1/applications/%d/reject" % apps[5], {"reason": "x"}, token=a)
        self.assertExact()
        no = s.query("SELECT member_no FROM members WHERE application_id = ?", apps[0])[0][0]
        t = s.request("POST", "/api/v1/members/%s/transfer" % no, {"to_org": "110118100"},
                      token=a).json
        s.request("POST", "/api/v1/transfers/%d/accept" % t["id"], token=a)
        self.assertExact()
        # Mutual-aid cards: one handed out at the event (on its tally), one
        # without an event, one lost and reissued.
        nos = [n for (n,) in s.query("SELECT member_no FROM members WHERE application_id IN "
                                      "(%s)" % ",".join(str(x) for x in apps[1:4]))]
        for k, no in enumerate(nos[:2]):
            body = {"member_no": no, "card_no": luhn("62220202%010d" % (900 + k))}
            if k == 0:
                body["event_id"] = ev["id"]
            r = s.request("POST", "/api/v1/cards", body, token=a)
            self.assertEqual(r.status, 201, r)
        self.assertEqual(s.query("SELECT n FROM event_tallies WHERE event_id = ? AND kind = 'cards'",
                                 ev["id"])[0][0], 4)
        r = s.request("POST", "/api/v1/members/%s/card/reissue" % nos[1],
                      {"card_no": luhn("62220202%010d" % 902), "reason": "丢失"}, token=a)
        self.assertEqual(r.status, 201, r)
        self.assertExact()
        # Rosters imported: a file, the same file again (nothing new), and a
        # file half of whose people are members already.
        data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
        gbk = os.path.join(data, "roster-sample-gbk.csv")
        for _ in range(2):
            c = s.cli("import", "members", gbk, "--org", "110118003")
            self.assertEqual(c.returncode, 0, c.stderr)
            self.assertExact()
        with open(gbk, "rb") as f:
            lines = f.read().split(b"\n")
        mixed = os.path.join(s.dir, "mixed.csv")
        with open(mixed, "wb") as f:
            f.write(b"\n".join(lines[:len(lines) // 2]) + b"\n")
        c = s.cli("import", "members", mixed, "--org", "110118100")
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertExact()
        other = os.path.join(data, "roster-sample-utf8bom.csv")
        c = s.cli("import", "members", other, "--org", "110118100")
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertExact()
        # One batch of people, some members already and some new.
        with open(other, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        new = [r[:2] + [id_number(k, born="19850315")] + r[3:9] + ["1370071%04d" % k] + r[10:]
               for k, r in enumerate(rows[1:11])]
        half = os.path.join(s.dir, "half-new.csv")
        with open(half, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([rows[0]] + rows[1:11] + new)
        c = s.cli("import", "members", half, "--org", "110118100")
        self.assertEqual(c.returncode, 0, c.stderr)
        m = re.search(r"imported (\d+), already members (\d+)", c.stdout)
        self.assertTrue(m and int(m.group(1)) > 0 and int(m.group(2)) > 0, c.stdout)
        self.assertExact()
        # A union founded.
        e = s.request("POST", "/api/v1/employers", {"name": "变动公司", "headcount": 150,
                                                    "org": "110118002"}, token=a).json
        case = s.request("POST", "/api/v1/foundings", {"employer_id": e["id"]}, token=a).json
        for k, (name, facts) in enumerate([
                ("contacted", {}), ("requested", {}), ("prep_group_approved", {"prep_group_size": 3}),
                ("recruiting", {"members": 30}),
                ("congress_held", {"congress_type": "member_assembly", "attendance": 20}),
                ("committee_elected", {"committee_size": 3, "chair_name": "甲"}),
                ("election_approved", {"document_no": "x", "term_years": 3})]):
            r = s.request("POST", "/api/v1/foundings/%d/steps" % case["id"],
                          dict(facts, step=name, date=days_ago(10 - k)), token=a)
            self.assertEqual(r.status, 200, r)
        self.assertExact()
        # Counters damaged by hand are found and put right by a rebuild.
        s.query("UPDATE stats_daily SET n = n + 5 WHERE kind = 'activity'")
        c = s.cli("stats", "rebuild")
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn("totals changed", c.stdout)
        self.assertExact()


class DemoHalfYearTest(ServerTest):
    """`unionbridge demo-data` gives the demo tree the seed's half-year, and
    the dashboard shows it with every figure linked to its records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.s.cli("demo-data")
        assert r.returncode == 0, r.stderr
        cls.loaded = r.stdout

    def test_the_half_year_is_the_seeds(self):
        s = self.s
        self.assertIn("747 members", self.loaded)
        j = s.request("GET", "/api/v1/reports/summary?org=110118&from=2025-01-01&to=2025-06-30",
                      token=s.admin).json
        self.assertEqual(j["activities"], {"total": 94, "worker_meetings": 90,
                                           "enterprise_meetings": 4})
        self.assertEqual(j["members_joined"]["via_qr"], 747)
        self.assertEqual(j["unions_founded"], {"total": 10, "headcount_100_plus": 1})
        self.assertEqual(j["cards_issued"], 18)
        self.assertEqual(len(j["by_org"]), 21)
        # The joins are dated on the days of the meetings they came through.
        days = s.query("SELECT min(m.joined_on), max(m.joined_on) FROM members m")[0]
        self.assertGreaterEqual(days[0], "2025-01-01")
        self.assertLessEqual(days[1], "2025-06-30")
        c = s.cli("stats", "rebuild")
        self.assertEqual(c.stdout.strip(), "counters rebuilt: unchanged")
        # Once only.
        before = s.snapshot()
        c = s.cli("demo-data")
        self.assertEqual(c.returncode, 1)
        self.assertIn("already_loaded", c.stderr)
        self.assertUnchanged(before)

    def test_the_dashboard_links_each_figure_to_its_records(self):
        s = self.s
        c = s.console("admin", ADMIN_PW)

        def get(path):
            r = c.page(path)
            self.assertEqual(r.status, 200, (path, r))
            return r.text
        html = get("/console/reports?org=110118&from=2025-01-01&to=2025-06-30")
        heads = dict((label, (int(n), href)) for href, n, label in re.findall(
            r'<a class="big" href="([^"]+)"><b>(\d+)</b><span>([^<]+)</span>', html))
        self.assertEqual(heads["双沟通活动（场）"][0], 94)
        self.assertEqual(heads["新入会会员（人）"][0], 747)
        self.assertEqual(heads["新建工会（家）"][0], 10)
        self.assertEqual(heads["互助服务卡（张）"][0], 18)
        self.assertEqual(html.count("<svg "), 4)            # 2 trends, orgs, categories
        # Each figure's link lists exactly what it counts.
        ev = get(heads["双沟通活动（场）"][1].replace("&amp;", "&"))
        self.assertEqual(int(re.search(r"<b data-count>(\d+)</b>", ev).group(1)), 94)
        mem = get(heads["新入会会员（人）"][1].replace("&amp;", "&"))
        self.assertEqual(int(re.search(r"<b data-count>(\d+)</b>", mem).group(1)), 747)
        self.assertEqual(mem.count('<a href="/console/members/'), 500)    # the newest 500
        one = get("/console/members?org=110118001&from=2025-01-01&to=2025-06-30&channel=qr")
        town = [o for o in s.request("GET", "/api/v1/reports/summary?org=110118&from=2025-01-01"
                                     "&to=2025-06-30", token=s.admin).json["by_org"]
                if o["org"] == "110118001"][0]
        self.assertEqual(int(re.search(r"<b data-count>(\d+)</b>", one).group(1)),
                         town["members_joined"]["via_qr"])
        self.assertEqual(c.page("/console/members?from=2025-01-01&to=2025-06-30&channel=x").status,
                         400)
        fd = get(heads["新建工会（家）"][1].replace("&amp;", "&"))
        self.assertEqual(fd.count('<article class="case"'), 10)
        cards = re.search(r"<tfoot><tr><th colspan=\"5\">合计</th>(.*?)</tr>", ev).group(1)
        self.assertEqual(re.findall(r">(\d+)<", cards)[2], "18")


if __name__ == "__main__":
    main()
