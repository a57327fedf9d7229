"""Outreach (双沟通): campaigns, events with their own QR codes, on-site
tallies from flaky phones, and the live campaign board."""
import csv
import io
import os
import re
import subprocess
import threading
import uuid
import zipfile

from harness import STAFF_PW, ServerTest, main

TOWNS = ["110118001", "110118002", "110118003"] + ["1101181%02d" % i for i in range(17)] \
    + ["110118400"]


class OutreachTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.town = s.user("out.town", "federation", "110118001")      # 鼓楼街道
        cls.town2 = s.user("out.town2", "federation", "110118002")    # 果园街道
        cls.union = s.user("out.union", "union", "110118400.U1")
        cls.viewer = s.user("out.viewer", "viewer", "110118")
        cls.district = s.user("out.district", "federation", "110118")
        cls.seq = 50000

    # ---- helpers -------------------------------------------------------------

    def campaign(self, token=None, **kw):
        body = {"name": "市级职工沟通会", "level": "district", "date_from": "2025-05-27",
                "date_to": "2025-05-27", "org": "110118"}
        body.update(kw)
        r = self.s.request("POST", "/api/v1/campaigns", body, token=token or self.s.admin)
        self.assertEqual(r.status, 201, r)
        return r.json

    def event(self, org, token=None, **kw):
        body = {"type": "worker_meeting", "org": org, "venue": "万象汇商场门口",
                "starts_at": "2025-05-27T12:00:00+08:00", "partners": ["司法所"]}
        body.update(kw)
        r = self.s.request("POST", "/api/v1/events", body, token=token or self.s.admin)
        self.assertEqual(r.status, 201, r)
        return r.json

    def event_token(self, event_id):
        return self.s.query("SELECT token FROM join_tokens WHERE event_id = ?", event_id)[0][0]

    def joins(self, token, n):
        """n new workers join through token; returns their application ids."""
        ids = []
        for _ in range(n):
            OutreachTest.seq += 1
            r = self.s.join(token, OutreachTest.seq)
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["application_id"])
        return ids

    def tally(self, event_id, body, token=None, headers=None):
        return self.s.request("POST", "/api/v1/events/%d/tallies" % event_id, body,
                              token=token or self.s.admin, headers=headers)

    def board(self, cid, token=None):
        r = self.s.request("GET", "/api/v1/campaigns/%d/board" % cid, token=token or self.s.admin)
        self.assertEqual(r.status, 200, r)
        return r.json

    # ---- the day of 27 May -----------------------------------------------------

    def test_21_events_joins_and_concurrent_tallies_match_the_board(self):
        s = self.s
        c = self.campaign(name="5·27 职工沟通会", theme="扫码入会")
        events = {}
        for i, town in enumerate(TOWNS):
            ev = self.event(town, campaign_id=c["id"], venue="现场%d" % i)
            self.assertEqual(ev["campaign_id"], c["id"])
            self.assertEqual(ev["status"], "planned")
            self.assertEqual(ev["joins"], {"submitted": 0, "approved": 0})
            events[town] = ev["id"]
        self.assertEqual(len(set(events.values())), 21)

        # Joins through five events' own QR codes: n each, all but one approved
        # (one rejected); one more through a town's own code, not an event's.
        plan = {"110118001": 3, "110118002": 5, "110118100": 1, "110118116": 4,
                "110118400": 2}
        expect = {}
        for town, n in plan.items():
            ids = self.joins(self.event_token(events[town]), n)
            for k, app in enumerate(ids):
                if town == "110118002" and k == 0:
                    r = s.request("POST", "/api/v1/applications/%d/reject" % app,
                                  {"reason": "信息不实"}, token=s.admin)
                else:
                    r = s.request("POST", "/api/v1/applications/%d/approve" % app,
                                  token=s.admin)
                self.assertEqual(r.status, 200, r)
            expect[town] = (n, n - (1 if town == "110118002" else 0))
        self.joins(s.join_token("110118003"), 1)
        # Members keep where they came from.
        rows = s.query("SELECT count(*) FROM members WHERE source_event_id = ?",
                       events["110118116"])
        self.assertEqual(rows[0][0], 4)

        # Two phones tally the same event at once; every tap is sent twice
        # (a retry after a lost answer) and must count once.
        e0 = events["110118001"]

        def phone(prefix, token):
            for k in range(20):
                body = {"tap_id": "%s-%d" % (prefix, k), "materials": {"入会宝典": 1}}
                if k % 4 == 0:
                    body["cards_issued"] = 1
                if k % 5 == 0:
                    body["questions"] = {"二次报销": 1}
                for _ in range(2):
                    r = self.tally(e0, body, token=token)
                    assert r.status == 200, r
        threads = [threading.Thread(target=phone, args=("a", self.town)),
                   threading.Thread(target=phone, args=("b", s.admin))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # A tap taken back (the − button), and leaflets of a second title.
        r = self.tally(e0, {"tap_id": "a-undo", "materials": {"入会宝典": -1}}, token=self.town)
        self.assertEqual(r.status, 200, r)
        r = self.tally(e0, {"tap_id": "a-x", "materials": {"建会秘籍": 7}, "people": 30},
                       token=self.town)
        self.assertEqual(r.json["materials"]["by_title"], {"入会宝典": 39, "建会秘籍": 7})
        self.assertEqual(r.json["status"], "held")      # the first tap marks it held

        b = self.board(c["id"])
        self.assertEqual(b["campaign"]["id"], c["id"])
        self.assertEqual(len(b["events"]), 21)
        by_id = {e["id"]: e for e in b["events"]}
        for town, eid in events.items():
            sub, appr = expect.get(town, (0, 0))
            self.assertEqual(by_id[eid]["joins"], {"submitted": sub, "approved": appr}, town)
            self.assertEqual(by_id[eid]["org"], town)
        e = by_id[e0]
        self.assertEqual(e["materials"], {"total": 46, "by_title": {"入会宝典": 39, "建会秘籍": 7}})
        self.assertEqual(e["cards_issued"], 10)
        self.assertEqual(e["questions"], {"total": 8, "by_topic": {"二次报销": 8}})
        self.assertEqual(e["people"], 30)
        t = b["totals"]
        self.assertEqual(t["joins"], {"submitted": 15, "approved": 14})
        self.assertEqual(t["materials"]["total"], 46)
        self.assertEqual(t["cards_issued"], 10)
        self.assertEqual(len(b["by_org"]), 21)
        self.assertEqual(sum(o["events"] for o in b["by_org"]), 21)
        self.assertEqual(sum(o["joins"]["approved"] for o in b["by_org"]), 14)
        # The taps are all in the audit log, each once.
        n = s.query("SELECT count(*) FROM audit_log WHERE action = 'event.tally' "
                    "AND object_id = ?", str(e0))[0][0]
        self.assertEqual(n, 42)

        # A town's staff see the campaign with only their own event on it; the
        # district sees all 21.
        mine = self.board(c["id"], token=self.town)
        self.assertEqual([x["id"] for x in mine["events"]], [e0])
        self.assertEqual(mine["totals"]["joins"], {"submitted": 3, "approved": 3})
        self.assertEqual(len(self.board(c["id"], token=self.district)["events"]), 21)
        # The list of the district's events that day.
        r = s.request("GET", "/api/v1/events?org=110118&from=2025-05-27&to=2025-05-27&campaign=%d"
                      % c["id"], token=self.district)
        self.assertEqual(len(r.json["items"]), 21)

    def test_a_retried_tap_counts_once(self):
        ev = self.event("110118003")
        body = {"tap_id": "t-1", "materials": {"入会宝典": 2}}
        first = self.tally(ev["id"], body)
        again = self.tally(ev["id"], body)
        self.assertEqual(first.status, 200, first)
        self.assertFalse(first.json["replayed"])
        self.assertTrue(again.json["replayed"])
        self.assertEqual(again.json["materials"]["total"], 2)
        # The Idempotency-Key header does the same.
        h = {"Idempotency-Key": str(uuid.uuid4())}
        self.tally(ev["id"], {"cards_issued": 1}, headers=h)
        r = self.tally(ev["id"], {"cards_issued": 1}, headers=h)
        self.assertTrue(r.json["replayed"])
        self.assertEqual(r.json["cards_issued"], 1)
        # Without an id every request counts.
        self.tally(ev["id"], {"people": 1})
        r = self.tally(ev["id"], {"people": 1})
        self.assertEqual(r.json["people"], 2)
        # The same tap id on another event is another tap.
        other = self.event("110118003")
        r = self.tally(other["id"], body)
        self.assertFalse(r.json["replayed"])

    def test_tally_refusals_change_nothing(self):
        s = self.s
        ev = self.event("110118003")
        self.tally(ev["id"], {"materials": {"入会宝典": 1}})
        cases = [
            ({}, 422, "empty_tally"),
            ({"materials": {"入会宝典": 0}}, 422, "empty_tally"),
            ({"materials": {"入会宝典": -2}}, 422, "tally_below_zero"),
            ({"materials": {"入会宝典": 1}, "cards_issued": -1}, 422, "tally_below_zero"),
            ({"materials": {"": 1}}, 422, "missing_field"),
            ({"materials": {"入会宝典": 100001}}, 422, "invalid_count"),
            ({"materials": {"入会宝典": "1"}}, 400, "bad_type"),
            ({"materials": ["入会宝典"]}, 400, "bad_type"),
            ({"cards_issued": 1.5}, 400, "bad_type"),
            ({"colour": 1}, 400, "unknown_field"),
            ({"tap_id": "x" * 65, "people": 1}, 400, "invalid_tap_id"),
            ({"materials": {"x%d" % i: 1 for i in range(65)}}, 400, "too_many_items"),
        ]
        for body, status, code in cases:
            before = s.snapshot()
            self.assertError(self.tally(ev["id"], body), status, code)
            self.assertUnchanged(before)
        r = s.request("GET", "/api/v1/events/%d" % ev["id"], token=s.admin)
        self.assertEqual(r.json["materials"]["total"], 1)
        self.assertEqual(r.json["cards_issued"], 0)
        # Unknown event; a viewer; a union outside; a cancelled event.
        self.assertError(self.tally(999999, {"people": 1}), 404, "event_not_found")
        self.assertError(self.tally(ev["id"], {"people": 1}, token=self.viewer), 403, "forbidden")
        self.assertError(self.tally(ev["id"], {"people": 1}, token=self.union), 403, "forbidden")
        c = self.event("110118003")
        r = s.request("PATCH", "/api/v1/events/%d" % c["id"], {"status": "cancelled"},
                      token=s.admin)
        self.assertEqual(r.json["status"], "cancelled")
        before = s.snapshot()
        self.assertError(self.tally(c["id"], {"people": 1}), 409, "event_cancelled")
        self.assertUnchanged(before)

    # ---- creating campaigns and events ---------------------------------------------

    def test_campaign_refusals(self):
        s = self.s
        good = {"name": "职工沟通会", "level": "town", "date_from": "2025-05-01",
                "date_to": "2025-05-31", "org": "110118001"}
        cases = [
            (dict(good, name=""), 422, "missing_field"),
            (dict(good, level="village"), 422, "invalid_level"),
            (dict(good, date_from="2025-02-30"), 422, "invalid_date"),
            (dict(good, date_to="20250531"), 422, "invalid_date"),
            (dict(good, date_to="2025-04-30"), 422, "invalid_period"),
            (dict(good, date_to="2026-06-30"), 422, "invalid_period"),
            (dict(good, org="nope"), 422, "org_not_found"),
            (dict(good, org="110118400.U1"), 422, "org_not_federation"),
            (dict(good, name=1), 400, "bad_type"),
        ]
        for body, status, code in cases:
            before = s.snapshot()
            self.assertError(s.request("POST", "/api/v1/campaigns", body, token=s.admin),
                             status, code)
            self.assertUnchanged(before)
        # Union staff and viewers do not run campaigns; a town runs its own.
        for who in (self.union, self.viewer):
            self.assertError(s.request("POST", "/api/v1/campaigns", good, token=who), 403)
        mine = dict(good)
        del mine["org"]
        r = s.request("POST", "/api/v1/campaigns", mine, token=self.town)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["org"], "110118001")
        # Who sees it: the town and the district above; not a sibling town.
        cid = r.json["id"]
        for who, status in ((self.town, 200), (self.district, 200), (self.town2, 403)):
            self.assertEqual(s.request("GET", "/api/v1/campaigns/%d" % cid, token=who).status,
                             status)
        listed = [x["id"] for x in s.request("GET", "/api/v1/campaigns",
                                             token=self.town2).json["items"]]
        self.assertNotIn(cid, listed)
        listed = [x["id"] for x in s.request("GET", "/api/v1/campaigns",
                                             token=self.district).json["items"]]
        self.assertIn(cid, listed)
        self.assertError(s.request("GET", "/api/v1/campaigns/0", token=s.admin), 404,
                         "campaign_not_found")

    def test_event_refusals(self):
        s = self.s
        c = self.campaign(date_from="2025-05-27", date_to="2025-05-28", org="110118001",
                          level="town")
        good = {"type": "worker_meeting", "org": "110118001", "venue": "鼓楼广场",
                "starts_at": "2025-05-27T09:00:00+08:00", "campaign_id": c["id"]}
        cases = [
            (dict(good, type="party"), 422, "invalid_type"),
            (dict(good, venue=""), 422, "missing_field"),
            (dict(good, starts_at=None), 422, "missing_field"),
            (dict(good, starts_at="2025-05-27 9am"), 422, "invalid_time"),
            (dict(good, ends_at="2025-05-27T08:00:00+08:00"), 422, "invalid_period"),
            (dict(good, starts_at="2025-05-29T09:00:00+08:00"), 422, "outside_campaign_dates"),
            (dict(good, org="110118002"), 422, "org_outside_campaign"),
            (dict(good, org="nope"), 422, "org_not_found"),
            (dict(good, campaign_id=999999), 422, "campaign_not_found"),
            (dict(good, status="cancelled"), 422, "invalid_status"),
            (dict(good, employers=[1]), 422, "employers_not_allowed"),
            (dict(good, type="enterprise_meeting", employers=[999999]), 422,
             "employer_not_found"),
            (dict(good, partners="司法所"), 400, "bad_type"),
            (dict(good, partners=[""]), 422, "missing_field"),
            (dict(good, employers=["x"]), 400, "bad_type"),
        ]
        for body, status, code in cases:
            before = s.snapshot()
            self.assertError(s.request("POST", "/api/v1/events", body, token=s.admin),
                             status, code)
            self.assertUnchanged(before)
        # A viewer cannot create one; a union's staff create their own only.
        self.assertError(s.request("POST", "/api/v1/events", good, token=self.viewer), 403)
        r = s.request("POST", "/api/v1/events",
                      {"type": "worker_meeting", "org": "110118400.U1", "venue": "车间",
                       "starts_at": "2025-06-01T09:00:00+08:00"}, token=self.union)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json["campaign_id"])

    def test_enterprise_meeting_links_employers_and_status_flow(self):
        s = self.s
        emp = s.request("POST", "/api/v1/employers",
                        {"name": "鼓楼某物流公司", "headcount": 120, "org": "110118001"},
                        token=s.admin).json["id"]
        ev = self.event("110118001", token=self.town, type="enterprise_meeting",
                        venue="区工会会议室", employers=[emp],
                        partners=["区司法局", "街道办"])
        self.assertEqual([e["id"] for e in ev["employers"]], [emp])
        self.assertEqual(ev["partners"], ["区司法局", "街道办"])
        # An employer of a sibling town is not the town's to link.
        other = s.request("POST", "/api/v1/employers",
                          {"name": "果园某公司", "headcount": 3, "org": "110118002"},
                          token=s.admin).json["id"]
        self.assertError(s.request("PATCH", "/api/v1/events/%d" % ev["id"],
                                   {"employers": [other]}, token=self.town), 403)
        r = s.request("PATCH", "/api/v1/events/%d" % ev["id"],
                      {"venue": "企业会议室", "notes": "工会主席人选已初步确定", "status": "held"},
                      token=self.town)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["venue"], r.json["status"]), ("企业会议室", "held"))
        for status in ("planned", "cancelled", "nonsense"):
            self.assertError(s.request("PATCH", "/api/v1/events/%d" % ev["id"],
                                       {"status": status}, token=self.town),
                             422, "invalid_status_change")
        self.assertError(s.request("PATCH", "/api/v1/events/%d" % ev["id"], {"org": "110118"},
                                   token=self.town), 422, "immutable_field")
        actions = [a for (a,) in s.query("SELECT action FROM audit_log WHERE object_type = 'event' "
                                         "AND object_id = ? ORDER BY id", str(ev["id"]))]
        self.assertEqual(actions, ["event.create", "event.update"])

    # ---- QR, export, labels ------------------------------------------------------------

    def test_event_qr_carries_its_own_token(self):
        s = self.s
        ev = self.event("110118002")
        r = s.request("GET", "/api/v1/events/%d/qr.png" % ev["id"], token=s.admin)
        self.assertEqual(r.header("Content-Type"), "image/png")
        path = os.path.join(s.dir, "event-qr.png")
        with open(path, "wb") as f:
            f.write(r.body)
        z = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True)
        url = z.stdout.strip()
        token = self.event_token(ev["id"])
        self.assertEqual(url, "http://127.0.0.1:%d/j/%s" % (s.port, token))
        self.assertNotEqual(token, s.join_token("110118002"))
        svg = s.request("GET", "/api/v1/events/%d/qr.svg" % ev["id"], token=s.admin)
        self.assertTrue(svg.body.startswith(b"<svg"))
        # The join page through it works and lands with the event's org.
        page = s.request("GET", "/j/" + token)
        self.assertEqual(page.status, 200)
        self.assertIn("果园街道总工会", page.text)
        app = self.joins(token, 1)[0]
        self.assertEqual(s.query("SELECT source_event_id FROM applications WHERE id = ?", app),
                         [(ev["id"],)])

    def test_export_csv_and_xlsx(self):
        s = self.s
        c = self.campaign(name="导出测试", date_from="2025-07-01", date_to="2025-07-02")
        a = self.event("110118104", campaign_id=c["id"], venue="河南寨集市",
                       starts_at="2025-07-01T09:00:00+08:00")
        b = self.event("110118105", campaign_id=c["id"], venue="巨各庄公园",
                       starts_at="2025-07-02T09:00:00+08:00")
        self.tally(a["id"], {"materials": {"入会宝典": 100, "建会秘籍": 50}, "cards_issued": 18})
        self.tally(b["id"], {"questions": {"法律咨询": 4}})
        r = s.request("GET", "/api/v1/events?campaign=%d&format=csv" % c["id"], token=s.admin)
        self.assertEqual(r.status, 200, r)
        self.assertIn("text/csv", r.header("Content-Type"))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        head = rows[0]
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[1][head.index("地点")], "河南寨集市")
        self.assertEqual(rows[1][head.index("资料：入会宝典")], "100")
        self.assertEqual(rows[1][head.index("资料合计")], "150")
        self.assertEqual(rows[1][head.index("互助卡")], "18")
        self.assertEqual(rows[2][head.index("咨询：法律咨询")], "4")
        self.assertEqual(rows[2][head.index("类型")], "职工沟通会")

        r = s.request("GET", "/api/v1/events?campaign=%d&format=xlsx" % c["id"], token=s.admin)
        self.assertEqual(r.status, 200, r)
        self.assertIn("spreadsheetml", r.header("Content-Type"))
        z = zipfile.ZipFile(io.BytesIO(r.body))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("河南寨集市", sheet)
        self.assertIn("资料：入会宝典", sheet)
        # Figures are numbers, not text.
        self.assertRegex(sheet, r'<c r="[A-Z]+2"[^>]*><v>150</v></c>')
        self.assertError(s.request("GET", "/api/v1/events?format=pdf", token=s.admin), 400,
                         "bad_query")
        self.assertError(s.request("GET", "/api/v1/events?from=2025-13-01", token=s.admin), 400,
                         "invalid_date")

    def test_tally_labels_are_inherited_and_overridden(self):
        s = self.s
        r = s.request("GET", "/api/v1/orgs/110118107/tally-labels", token=s.admin)
        self.assertEqual(r.json["materials"], ["入会宝典", "建会秘籍"])
        self.assertIn("二次报销", r.json["questions"])
        r = s.request("PUT", "/api/v1/orgs/110118/tally-labels",
                      {"materials": ["入会宝典", "建会秘籍", "普惠手册"]}, token=self.district)
        self.assertEqual(r.status, 200, r)
        r = s.request("GET", "/api/v1/orgs/110118107/tally-labels", token=s.admin)
        self.assertEqual(r.json["materials"], ["入会宝典", "建会秘籍", "普惠手册"])
        self.assertIn("二次报销", r.json["questions"])          # not set: built in
        s.request("PUT", "/api/v1/orgs/110118107/tally-labels", {"materials": ["镇宣传册"]},
                  token=s.admin)
        r = s.request("GET", "/api/v1/orgs/110118107/tally-labels", token=s.admin)
        self.assertEqual(r.json["materials"], ["镇宣传册"])
        s.request("PUT", "/api/v1/orgs/110118107/tally-labels", {"materials": []}, token=s.admin)
        r = s.request("GET", "/api/v1/orgs/110118107/tally-labels", token=s.admin)
        self.assertEqual(r.json["materials"], ["入会宝典", "建会秘籍", "普惠手册"])
        for body, code in (({"materials": ["a", "a"]}, "duplicate_label"),
                           ({"materials": [""]}, "missing_field"),
                           ({"questions": ["q%d" % i for i in range(31)]}, "bad_type")):
            before = s.snapshot()
            r = s.request("PUT", "/api/v1/orgs/110118107/tally-labels", body, token=s.admin)
            self.assertIn(r.status, (400, 422), r)
            self.assertEqual(r.json["error"]["code"], code)
            self.assertUnchanged(before)
        self.assertError(s.request("PUT", "/api/v1/orgs/110118400.U1/tally-labels",
                                   {"materials": ["x"]}, token=self.union), 403, "forbidden")


class OutreachConsoleTest(ServerTest):
    """The console's outreach screens, driven as a browser without scripts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s.user("cons.town", "federation", "110118001")
        cls.c = cls.s.console("cons.town", STAFF_PW)
        cls.csrf = cls.c.csrf

    def form(self, path, fields):
        return self.c.form(path, fields)

    def page(self, path):
        return self.c.page(path)

    def test_campaign_event_tally_and_board_through_forms(self):
        s = self.s
        r = self.form("/console/campaigns", {"csrf": self.csrf, "name": "鼓楼五月沟通会",
                                             "level": "town", "date_from": "2025-05-01",
                                             "date_to": "2025-05-31"})
        self.assertEqual(r.status, 303, r)
        cid = int(r.header("Location").rsplit("/", 1)[1])
        r = self.form("/console/events", {"csrf": self.csrf, "type": "worker_meeting",
                                          "org": "110118001", "campaign_id": str(cid),
                                          "venue": "<b>鼓楼</b>广场", "address": "鼓楼东大街",
                                          "date": "2025-05-27", "time": "09:30",
                                          "partners": "司法所、 派出所，社区"})
        self.assertEqual(r.status, 303, r)
        eid = int(r.header("Location").rsplit("/", 1)[1])
        ev = s.request("GET", "/api/v1/events/%d" % eid, token=s.admin).json
        self.assertEqual(ev["partners"], ["司法所", "派出所", "社区"])
        self.assertEqual(ev["starts_at"], "2025-05-27T09:30:00+08:00")
        self.assertEqual(ev["campaign_id"], cid)

        html = self.page("/console/events/%d" % eid).text
        self.assertIn("&lt;b&gt;鼓楼&lt;/b&gt;广场", html)
        self.assertNotIn("<b>鼓楼</b>", html)
        self.assertIn("/api/v1/events/%d/qr.svg" % eid, html)
        cal = self.page("/console/events?org=110118001&month=2025-05").text
        self.assertIn("2025年5月", cal)
        self.assertIn('href="#d27"', cal)
        self.assertIn("/console/events/%d" % eid, cal)

        # The tally page: one form per counter, each with its own tap id.
        t = self.page("/console/events/%d/tally" % eid).text
        forms = re.findall(r'<form class="counter".*?</form>', t, re.S)
        self.assertEqual(len(forms), 2 + 1 + 5 + 1)       # titles, cards, topics, people
        taps = [re.search(r'name="tap" value="([^"]+)"', f).group(1) for f in forms]
        self.assertEqual(len(set(taps)), len(taps))
        first = forms[0]
        self.assertIn('value="入会宝典"', first)
        fields = {"csrf": self.csrf, "kind": "material", "label": "入会宝典", "tap": taps[0],
                  "delta": "1"}
        for _ in range(3):                                 # a resubmitted form
            r = self.form("/console/events/%d/tally" % eid, fields)
            self.assertEqual(r.status, 303, r)
        r = self.form("/console/events/%d/tally" % eid, dict(fields, tap=taps[1], delta="-1"))
        self.assertEqual(r.status, 303, r)
        ev = s.request("GET", "/api/v1/events/%d" % eid, token=s.admin).json
        self.assertEqual(ev["materials"]["by_title"], {"入会宝典": 0})
        self.assertEqual(ev["status"], "held")
        r = self.form("/console/events/%d/tally" % eid, dict(fields, tap="new-1", delta="5"))
        t = self.page("/console/events/%d/tally" % eid).text
        self.assertIn("<output data-count>5</output>", t)
        # Without the CSRF token nothing is counted.
        before = s.snapshot()
        r = self.form("/console/events/%d/tally" % eid, dict(fields, csrf="x", tap="new-2"))
        self.assertEqual(r.status, 403)
        self.assertUnchanged(before)

        board = self.page("/console/campaigns/%d" % cid).text
        self.assertIn('data-board="/api/v1/campaigns/%d/board"' % cid, board)
        self.assertIn('data-t="total" data-f="materials.total">5<', board)
        self.assertIn('<script src="/static/console.js"></script>', board)
        js = s.request("GET", "/static/console.js")
        self.assertEqual(js.status, 200)
        self.assertIn("javascript", js.header("Content-Type"))

    def test_status_form_and_refusals_show_pages(self):
        s = self.s
        r = self.form("/console/events", {"csrf": self.csrf, "type": "worker_meeting",
                                          "org": "110118001", "venue": "公园",
                                          "date": "2025-06-01", "time": "10:00"})
        eid = int(r.header("Location").rsplit("/", 1)[1])
        r = self.form("/console/events/%d/status" % eid, {"csrf": self.csrf,
                                                          "status": "cancelled"})
        self.assertEqual(r.status, 303, r)
        page = self.page("/console/events/%d" % eid).text
        self.assertIn("已取消", page)
        self.assertNotIn("现场计数", page)
        r = self.form("/console/events/%d/tally" % eid, {"csrf": self.csrf, "kind": "people",
                                                         "label": "", "delta": "1"})
        self.assertEqual(r.status, 409)
        self.assertIn("text/html", r.header("Content-Type"))
        # A bad date on the form is a page with the reason, and nothing stored.
        before = s.snapshot()
        r = self.form("/console/events", {"csrf": self.csrf, "type": "worker_meeting",
                                          "org": "110118001", "venue": "公园",
                                          "date": "2025-02-30", "time": "10:00"})
        self.assertEqual(r.status, 422)
        self.assertUnchanged(before)
        # Another town's event is not this town's to see.
        other = s.request("POST", "/api/v1/events",
                          {"type": "worker_meeting", "org": "110118002", "venue": "果园",
                           "starts_at": "2025-06-01T10:00:00+08:00"}, token=s.admin).json["id"]
        for path in ("/console/events/%d", "/console/events/%d/tally",
                     "/console/events/%d/poster"):
            self.assertEqual(self.page(path % other).status, 403)
        self.assertEqual(self.page("/console/events?month=2025-13").status, 400)


if __name__ == "__main__":
    main()
