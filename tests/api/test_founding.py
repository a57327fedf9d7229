"""Founding a union (建会): a case walks every step in order, each refusal
is a 422 (or 409) that changes nothing, approval adds the union to the tree
with a working join QR, alerts find stalled cases, and the period counts
are what the report needs."""
import re

from harness import STAFF_PW, ServerTest, main, uscc

# The steps of a company of 120 (a workers' congress, as in the seed).
BIG = [
    ("contacted", "2025-01-06", {}),
    ("requested", "2025-01-10", {}),
    ("prep_group_approved", "2025-01-15", {"prep_group_size": 5}),
    ("recruiting", "2025-01-24", {"members": 120}),
    ("reps_elected", "2025-02-10", {"representatives": 36}),
    ("congress_held", "2025-02-18", {"congress_type": "workers_congress", "attendance": 33}),
    ("committee_elected", "2025-02-18", {"committee_size": 5, "chair_name": "王芳"}),
    ("election_approved", "2025-02-25", {"document_no": "密工发〔2025〕7号", "term_years": 5}),
    ("registered", "2025-03-20", {"union_uscc": uscc(7, "81110118")}),
]


class FoundingTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.town = cls.s.user("fd.town", "federation", "110118104")   # 河南寨镇
        cls.viewer = cls.s.user("fd.viewer", "viewer", "110118")
        cls.n = 100

    def employer(self, headcount, org="110118104", legal_rep="刘某"):
        FoundingTest.n += 1
        r = self.s.request("POST", "/api/v1/employers",
                           {"name": "河南寨测试公司%d" % self.n, "uscc": uscc(self.n),
                            "headcount": headcount, "org": org, "legal_rep": legal_rep},
                           token=self.s.admin)
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def open_case(self, employer, token=None, **kw):
        body = {"employer_id": employer, "guide_org": "110118104"}
        body.update(kw)
        r = self.s.request("POST", "/api/v1/foundings", body, token=token or self.town)
        self.assertEqual(r.status, 201, r)
        return r.json

    def step(self, cid, step, date, token=None, **facts):
        return self.s.request("POST", "/api/v1/foundings/%d/steps" % cid,
                              dict(facts, step=step, date=date), token=token or self.town)

    def walk(self, cid, steps):
        for name, date, facts in steps:
            r = self.step(cid, name, date, **facts)
            self.assertEqual(r.status, 200, "%s: %r" % (name, r))
        return r.json

    def refused(self, cid, step, date, status, code, **facts):
        before = self.s.snapshot()
        self.assertError(self.step(cid, step, date, **facts), status, code)
        self.assertUnchanged(before)

    # ---- the whole way ----------------------------------------------------------

    def test_a_company_of_120_walks_every_step_and_its_union_appears(self):
        s = self.s
        emp = self.employer(130)
        case = self.open_case(emp)
        self.assertEqual((case["step"], case["status"], case["next_step"]),
                         ("opened", "open", "contacted"))
        self.assertEqual(case["staff"], "fd.town")
        self.assertEqual(s.request("GET", "/api/v1/employers/%d" % emp,
                                   token=self.town).json["union_status"], "founding")
        done = self.walk(case["id"], BIG[:8])
        self.assertEqual(done["status"], "founded")
        self.assertEqual(done["founded_on"], "2025-02-25")
        self.assertEqual(done["founded_headcount"], 130)
        self.assertEqual(done["next_step"], "registered")
        self.assertEqual([x["step"] for x in done["steps"]], [x[0] for x in BIG[:8]])
        self.assertEqual(done["steps"][5]["facts"],
                         {"congress_type": "workers_congress", "attendance": 33})
        self.assertEqual(done["committee_range"], [5, 7])

        # The new union is in the tree under the guide, and its QR works at once.
        code = done["union_org"]
        org = s.request("GET", "/api/v1/orgs/" + code, token=self.town).json
        self.assertEqual((org["level"], org["parent"]), ("union", "110118104"))
        self.assertEqual(org["name"], "河南寨测试公司%d工会" % self.n)
        e = s.request("GET", "/api/v1/employers/%d" % emp, token=self.town).json
        self.assertEqual((e["union_status"], e["union_org"]), ("unionised", code))
        r = s.join(s.join_token(code), 70001)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.request("GET", "/api/v1/applications/%d" % r.json["application_id"],
                                   token=self.town).json["org"], code)

        reg = self.walk(case["id"], BIG[8:])
        self.assertEqual(reg["status"], "registered")
        self.assertEqual(reg["facts"]["union_uscc"], BIG[8][2]["union_uscc"])
        self.assertIsNone(reg["next_step"])
        self.refused(case["id"], "registered", "2025-03-21", 409, "case_closed",
                     union_uscc=uscc(8, "81110118"))
        actions = [a for (a,) in s.query("SELECT action FROM audit_log WHERE object_type = "
                                         "'founding' AND object_id = ? ORDER BY id",
                                         str(case["id"]))]
        self.assertEqual(actions, ["founding.open"] + ["founding.step"] * 9)
        self.assertEqual(s.query("SELECT count(*) FROM audit_log WHERE action = 'org.create' "
                                 "AND object_id = ?", code)[0][0], 1)

    def test_a_small_company_holds_a_member_assembly_without_representatives(self):
        case = self.open_case(self.employer(40))
        cid = case["id"]
        self.walk(cid, [("contacted", "2025-03-01", {}), ("requested", "2025-03-02", {}),
                        ("prep_group_approved", "2025-03-03", {"prep_group_size": 3}),
                        ("recruiting", "2025-03-10", {"members": 20}),
                        ("recruiting", "2025-03-20", {"members": 31})])
        self.refused(cid, "reps_elected", "2025-03-21", 422, "reps_not_needed",
                     representatives=10)
        self.refused(cid, "congress_held", "2025-03-21", 422, "congress_type_mismatch",
                     congress_type="member_rep_congress", attendance=20)
        self.refused(cid, "congress_held", "2025-03-21", 422, "quorum_not_met",
                     congress_type="member_assembly", attendance=15)       # not over half
        self.refused(cid, "congress_held", "2025-03-21", 422, "invalid_value",
                     congress_type="member_assembly", attendance=32)       # more than members
        r = self.walk(cid, [("congress_held", "2025-03-21",
                             {"congress_type": "member_assembly", "attendance": 16})])
        self.assertEqual(r["facts"]["members"], 31)
        for size in (1, 4, 7):
            self.refused(cid, "committee_elected", "2025-03-21", 422, "committee_size",
                         committee_size=size, chair_name="赵六")
        self.refused(cid, "committee_elected", "2025-03-21", 422, "chair_is_legal_rep",
                     committee_size=3, chair_name="刘某")
        self.walk(cid, [("committee_elected", "2025-03-21",
                         {"committee_size": 3, "chair_name": "赵六"}),
                        ("election_approved", "2025-03-28",
                         {"document_no": "河工发〔2025〕3号", "term_years": 3,
                          "union_code": "hnz.test", "union_name": "河南寨测试工会"})])
        org = self.s.request("GET", "/api/v1/orgs/hnz.test", token=self.town).json
        self.assertEqual(org["name"], "河南寨测试工会")

    # ---- refusals ----------------------------------------------------------------------

    def test_order_dates_and_facts_are_enforced(self):
        case = self.open_case(self.employer(300))
        cid = case["id"]
        self.refused(cid, "congress_held", "2025-02-10", 422, "step_out_of_order",
                     congress_type="workers_congress", attendance=38)
        self.refused(cid, "nonsense", "2025-02-10", 422, "invalid_step")
        self.refused(cid, "contacted", "2025-02-30", 422, "invalid_date")
        self.refused(cid, "contacted", None, 422, "missing_field")
        self.refused(cid, "contacted", "2999-01-01", 422, "date_in_future")
        self.walk(cid, BIG[:2])
        self.refused(cid, "contacted", "2025-01-11", 422, "step_done")
        self.refused(cid, "prep_group_approved", "2025-01-09", 422, "date_before_last_step",
                     prep_group_size=5)
        for size, code in ((None, "missing_field"), (2, "invalid_value"), (8, "invalid_value")):
            facts = {} if size is None else {"prep_group_size": size}
            self.refused(cid, "prep_group_approved", "2025-01-15", 422, code, **facts)
        self.assertError(self.step(cid, "prep_group_approved", "2025-01-15", prep_group_size=-1),
                         422, "invalid_value")
        self.walk(cid, BIG[2:3])
        self.refused(cid, "recruiting", "2025-01-24", 422, "members_exceed_headcount",
                     members=301)
        self.refused(cid, "recruiting", "2025-01-24", 422, "missing_field")
        self.walk(cid, [("recruiting", "2025-01-24", {"members": 150})])
        self.refused(cid, "congress_held", "2025-02-18", 422, "step_out_of_order",
                     congress_type="workers_congress", attendance=33)     # reps first
        self.refused(cid, "reps_elected", "2025-02-10", 422, "invalid_value",
                     representatives=151)
        self.walk(cid, [("reps_elected", "2025-02-10", {"representatives": 45})])
        self.refused(cid, "congress_held", "2025-02-18", 422, "invalid_congress_type",
                     congress_type="party", attendance=40)
        self.refused(cid, "congress_held", "2025-02-18", 422, "congress_type_mismatch",
                     congress_type="member_assembly", attendance=100)
        self.refused(cid, "congress_held", "2025-02-18", 422, "quorum_not_met",
                     congress_type="member_rep_congress", attendance=29)  # < 2/3 of 45
        self.walk(cid, [("congress_held", "2025-02-18",
                         {"congress_type": "member_rep_congress", "attendance": 30})])
        self.refused(cid, "committee_elected", "2025-02-18", 422, "committee_size",
                     committee_size=4, chair_name="王芳")
        self.refused(cid, "committee_elected", "2025-02-18", 422, "missing_field",
                     committee_size=5)
        self.walk(cid, [("committee_elected", "2025-02-19",
                         {"committee_size": 7, "chair_name": "王芳"})])
        self.refused(cid, "election_approved", "2025-02-25", 422, "invalid_value",
                     document_no="x", term_years=4)
        self.refused(cid, "election_approved", "2025-02-25", 422, "missing_field",
                     term_years=5)
        # A taken org code refuses the approval whole: no step, no org.
        self.refused(cid, "election_approved", "2025-02-25", 409, "org_code_taken",
                     document_no="x", term_years=5, union_code="110118104")
        self.walk(cid, [("election_approved", "2025-02-25",
                         {"document_no": "x", "term_years": 5})])
        self.refused(cid, "abandoned", "2025-02-26", 409, "already_founded")
        for code, err in ((uscc(9), "union_uscc_not_union"),
                          (uscc(9, "81110118")[:-1] + "0", "uscc_checksum"),
                          (None, "missing_field")):
            facts = {} if code is None else {"union_uscc": code}
            if code and code == uscc(9, "81110118"):
                continue
            self.refused(cid, "registered", "2025-03-01", 422, err, **facts)
        # Bad types and unknown fields are 400.
        self.assertError(self.step(cid, "registered", "2025-03-01", colour=1), 400,
                         "unknown_field")
        self.assertError(self.step(cid, "registered", "2025-03-01", union_uscc=81), 400,
                         "bad_type")

    def test_abandoning_keeps_the_history_and_frees_the_employer(self):
        s = self.s
        emp = self.employer(50)
        first = self.open_case(emp)["id"]
        self.walk(first, BIG[:2])
        r = self.step(first, "abandoned", "2025-02-01", notes="企业负责人变更，暂缓")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["step"]), ("abandoned", "abandoned"))
        self.assertEqual([x["step"] for x in r.json["steps"]],
                         ["contacted", "requested", "abandoned"])
        self.assertEqual(r.json["steps"][2]["notes"], "企业负责人变更，暂缓")
        self.assertEqual(s.request("GET", "/api/v1/employers/%d" % emp,
                                   token=self.town).json["union_status"], "none")
        self.refused(first, "prep_group_approved", "2025-02-02", 409, "case_closed",
                     prep_group_size=3)
        second = self.open_case(emp)["id"]
        self.assertNotEqual(first, second)
        items = s.request("GET", "/api/v1/foundings?org=110118104&employer=%d" % emp,
                          token=self.town).json["items"]
        self.assertEqual([(c["id"], c["status"]) for c in items],
                         [(second, "open"), (first, "abandoned")])

    def test_opening_refusals(self):
        s = self.s
        emp = self.employer(20)
        self.open_case(emp)
        cases = [
            ({"employer_id": emp}, 409, "case_open"),
            ({"employer_id": 999999}, 422, "employer_not_found"),
            ({}, 422, "missing_field"),
            ({"employer_id": self.employer(20), "guide_org": "nope"}, 422, "org_not_found"),
            ({"employer_id": self.employer(20), "staff": "nobody"}, 422, "staff_not_found"),
            ({"employer_id": self.employer(20), "staff": "admin"}, 422, "staff_not_found"),
            ({"employer_id": self.employer(20), "event_id": 999999}, 422, "event_not_found"),
            ({"employer_id": "x"}, 400, "bad_type"),
        ]
        for body, status, code in cases:
            body = dict({"guide_org": "110118104"}, **body)
            before = s.snapshot()
            self.assertError(s.request("POST", "/api/v1/foundings", body, token=self.town),
                             status, code)
            self.assertUnchanged(before)
        # A union cannot guide; a viewer cannot open; a unionised employer is done.
        r = s.request("POST", "/api/v1/foundings",
                      {"employer_id": self.employer(20, org="110118400"),
                       "guide_org": "110118400.U1"}, token=s.admin)
        self.assertError(r, 422, "org_not_federation")
        self.assertError(s.request("POST", "/api/v1/foundings",
                                   {"employer_id": self.employer(20), "guide_org": "110118104"},
                                   token=self.viewer), 403, "forbidden")
        done = self.open_case(self.employer(130))
        self.walk(done["id"], BIG[:8])
        self.assertError(s.request("POST", "/api/v1/foundings",
                                   {"employer_id": done["employer"]["id"]}, token=self.town),
                         409, "already_unionised")

    def test_an_enterprise_meeting_opens_a_case_and_the_link_is_kept(self):
        s = self.s
        emp, other = self.employer(80), self.employer(80)
        ev = s.request("POST", "/api/v1/events",
                       {"type": "enterprise_meeting", "org": "110118104", "venue": "镇会议室",
                        "starts_at": "2025-04-01T09:00:00+08:00", "employers": [emp]},
                       token=self.town).json
        case = self.open_case(emp, event_id=ev["id"])
        self.assertEqual(case["event_id"], ev["id"])
        before = s.snapshot()
        self.assertError(s.request("POST", "/api/v1/foundings",
                                   {"employer_id": other, "guide_org": "110118104",
                                    "event_id": ev["id"]}, token=self.town),
                         422, "event_not_linked")
        self.assertUnchanged(before)

    # ---- alerts and counts ------------------------------------------------------------------

    def test_alerts(self):
        s = self.s
        idle = self.open_case(self.employer(60))["id"]
        self.walk(idle, [("contacted", "2025-05-01", {})])
        prep = self.open_case(self.employer(60))["id"]
        self.walk(prep, [("contacted", "2025-01-02", {}), ("requested", "2025-01-03", {}),
                         ("prep_group_approved", "2025-01-15", {"prep_group_size": 3}),
                         ("recruiting", "2025-07-10", {"members": 30})])
        fine = self.open_case(self.employer(60))["id"]
        self.walk(fine, [("contacted", "2025-07-01", {})])

        def alerts(today, idle_days=30):
            r = s.request("GET", "/api/v1/foundings/alerts?org=110118104&today=%s&idle_days=%d"
                          % (today, idle_days), token=self.town)
            self.assertEqual(r.status, 200, r)
            return {(a["kind"], a["case"]["id"]): a["days"] for a in r.json["items"]
                    if a["case"]["id"] in (idle, prep, fine)}

        a = alerts("2025-07-20")
        self.assertEqual(a.get(("idle", idle)), 80)                 # 1 May → 20 July
        self.assertNotIn(("idle", fine), a)                         # 19 days
        self.assertNotIn(("idle", prep), a)
        self.assertEqual(a.get(("prep_overdue", prep)), 5)          # due 15 July
        self.assertIn(("committee_due", prep), a)                   # 30 members, no committee
        self.assertNotIn(("prep_overdue", idle), a)
        a = alerts("2025-07-20", idle_days=10)
        self.assertIn(("idle", fine), a)
        self.assertNotIn(("prep_overdue", prep), alerts("2025-07-15"))
        self.assertError(s.request("GET", "/api/v1/foundings/alerts?idle_days=0",
                                   token=self.town), 400, "bad_query")

    def test_counts_by_date_of_approval(self):
        s = self.s
        # A sibling town of its own, so the counts are this test's alone.
        t = s.user("fd.town2", "federation", "110118105")
        big, small = [], []
        for headcount, out in ((150, big), (30, small), (99, small)):
            r = s.request("POST", "/api/v1/employers",
                          {"name": "巨各庄公司%d" % headcount, "headcount": headcount,
                           "org": "110118105"}, token=s.admin)
            case = s.request("POST", "/api/v1/foundings", {"employer_id": r.json["id"]},
                             token=t).json
            out.append(case["id"])
        steps_small = [("contacted", "2025-01-02", {}), ("requested", "2025-01-03", {}),
                       ("prep_group_approved", "2025-01-04", {"prep_group_size": 3}),
                       ("recruiting", "2025-01-05", {"members": 26}),
                       ("congress_held", "2025-01-06",
                        {"congress_type": "member_assembly", "attendance": 20}),
                       ("committee_elected", "2025-01-07",
                        {"committee_size": 3, "chair_name": "甲"})]
        for cid, approved in ((big[0], "2025-03-01"), (small[0], "2025-06-30"),
                              (small[1], "2025-07-01")):
            steps = BIG[:7] if cid == big[0] else steps_small
            for name, date, facts in steps:
                r = s.request("POST", "/api/v1/foundings/%d/steps" % cid,
                              dict(facts, step=name, date=date), token=t)
                self.assertEqual(r.status, 200, r)
            r = s.request("POST", "/api/v1/foundings/%d/steps" % cid,
                          {"step": "election_approved", "date": approved, "document_no": "x",
                           "term_years": 5}, token=t)
            self.assertEqual(r.status, 200, r)

        def counts(frm, to):
            r = s.request("GET", "/api/v1/foundings/summary?org=110118105&from=%s&to=%s"
                          % (frm, to), token=t)
            self.assertEqual(r.status, 200, r)
            return r.json["total"], r.json["headcount_100_plus"]
        self.assertEqual(counts("2025-01-01", "2025-06-30"), (2, 1))
        self.assertEqual(counts("2025-07-01", "2025-12-31"), (1, 0))
        self.assertEqual(counts("2025-03-02", "2025-06-29"), (0, 0))
        self.assertEqual(counts("2025-03-01", "2025-03-01"), (1, 1))
        # The headcount counted is the one at approval, not today's.
        emp = s.request("GET", "/api/v1/foundings/%d" % big[0], token=t).json["employer"]["id"]
        s.request("PATCH", "/api/v1/employers/%d" % emp, {"headcount": 60}, token=s.admin)
        self.assertEqual(counts("2025-01-01", "2025-06-30"), (2, 1))
        self.assertError(s.request("GET", "/api/v1/foundings/summary?org=110118105&from=2025-01",
                                   token=t), 400, "bad_query")


class FoundingConsoleTest(ServerTest):
    """The founding screens, driven as a browser without scripts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s.user("fdc.town", "federation", "110118100")
        cls.c = cls.s.console("fdc.town", STAFF_PW)
        cls.csrf = cls.c.csrf

    def page(self, path):
        return self.c.page(path)

    def form(self, path, fields):
        return self.c.form(path, fields)

    def column_of(self, html, case_id):
        for step, body in re.findall(r'<section class="column" data-step="([a-z_]+)">(.*?)</section>',
                                     html, re.S):
            if 'data-case="%d"' % case_id in body:
                return step
        return None

    def test_the_board_shows_the_demo_cases_and_moves_one_by_forms(self):
        html = self.page("/console/foundings").text
        # The seed's dispatch company, founded in February, and a case still recruiting.
        self.assertIn("北京力方达科技发展有限公司", html)
        demo = self.s.query("SELECT id FROM founding_cases WHERE status = 'founded'")[0][0]
        self.assertEqual(self.column_of(html, demo), "election_approved")
        recruiting = self.s.query("SELECT id FROM founding_cases WHERE step = 'recruiting'")[0][0]
        self.assertEqual(self.column_of(html, recruiting), "recruiting")
        self.assertIn("应选举委员会", html)                  # 28 members and no committee
        # Record its congress from the card: back on the board, one column on.
        r = self.form("/console/foundings/%d/steps" % recruiting,
                      {"csrf": self.csrf, "step": "congress_held", "back": "board",
                       "date": "2025-04-20", "congress_type": "member_assembly",
                       "attendance": "20", "notes": ""})
        self.assertEqual((r.status, r.header("Location")), (303, "/console/foundings"))
        self.assertEqual(self.column_of(self.page("/console/foundings").text, recruiting),
                         "congress_held")
        # A refused step is an HTML page with the reason, and nothing moves.
        before = self.s.snapshot()
        r = self.form("/console/foundings/%d/steps" % recruiting,
                      {"csrf": self.csrf, "step": "committee_elected", "back": "board",
                       "date": "2025-04-21", "committee_size": "4", "chair_name": "李四"})
        self.assertEqual(r.status, 422)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn("单数", r.text)
        self.assertUnchanged(before)
        # The case page shows the timeline in order.
        html = self.page("/console/foundings/%d" % recruiting).text
        steps = re.findall(r"<li><b>([^<]+)</b>", html)
        self.assertEqual(steps, ["宣传发动", "提出申请", "筹备组获批", "发展会员", "召开大会"])
        self.assertIn("会员大会", html)

    def test_an_employer_page_opens_a_case_and_escapes(self):
        s = self.s
        emp = s.request("POST", "/api/v1/employers",
                        {"name": "<i>密云</i>测试公司", "headcount": 12, "org": "110118100"},
                        token=s.admin).json["id"]
        html = self.page("/console/employers/%d" % emp).text
        self.assertIn("&lt;i&gt;密云&lt;/i&gt;测试公司", html)
        self.assertNotIn("<i>密云</i>", html)
        self.assertIn("开始建会指导", html)
        r = self.form("/console/foundings", {"csrf": self.csrf, "employer_id": str(emp),
                                             "guide_org": "110118100"})
        self.assertEqual(r.status, 303, r)
        cid = int(r.header("Location").rsplit("/", 1)[1])
        html = self.page("/console/employers/%d" % emp).text
        self.assertIn("/console/foundings/%d" % cid, html)
        self.assertNotIn("开始建会指导", html)               # now founding
        # Abandon it from its page; the employer may start again.
        r = self.form("/console/foundings/%d/steps" % cid,
                      {"csrf": self.csrf, "step": "abandoned", "back": "case",
                       "date": "2025-05-01", "notes": "企业搬迁"})
        self.assertEqual(r.status, 303, r)
        self.assertIn("开始建会指导", self.page("/console/employers/%d" % emp).text)
        # Without the CSRF token nothing happens.
        before = s.snapshot()
        r = self.form("/console/foundings", {"csrf": "x", "employer_id": str(emp),
                                             "guide_org": "110118100"})
        self.assertEqual(r.status, 403)
        self.assertUnchanged(before)


if __name__ == "__main__":
    main()
