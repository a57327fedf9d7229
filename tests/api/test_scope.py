"""Every role acts only inside its own subtree: each route is tried from
outside (403) and, for writes, by roles that may not write.

The test reads the route table from src/routes.c, so a new route without a
scope case here fails the suite."""
import os
import re
import urllib.parse

from harness import ServerTest, main, multipart, person, phone

ROUTES_C = os.path.join(os.path.dirname(__file__), "..", "..", "src", "routes.c")

# Routes that need no subtree: public, or about the caller's own session.
UNSCOPED = {
    "GET /healthz", "GET /metrics", "POST /api/v1/auth/login", "POST /api/v1/auth/logout",
    "GET /api/v1/auth/me", "GET /", "GET /login", "POST /login", "POST /logout",
    "GET /console", "GET /static/app.css", "GET /static/join.css",
    "POST /api/v1/join/:token", "GET /j/:token", "POST /j/:token",
    "GET /api/v1/me", "GET /card", "GET /console/applications", "GET /console/members",
    "GET /static/console.js", "GET /console/campaigns", "GET /console/claims",
    # Member services: plan rules are the same everywhere; a member claims with
    # their own token; the console list shows the caller's own subtree.
    "GET /api/v1/claim-plans", "POST /api/v1/giveaways/:id/claim", "GET /api/v1/me/giveaways",
    "GET /g/:id", "POST /g/:id", "GET /console/giveaways",
}


class ScopeTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        # A town federation's staff (鼓楼街道), a grassroots union's staff,
        # a district viewer; "other" things live in 果园街道 (a sibling town).
        cls.town = s.user("scope.town", "federation", "110118001")
        cls.union = s.user("scope.union", "union", "110118400.U1")
        cls.viewer = s.user("scope.viewer", "viewer", "110118")
        r = s.request("POST", "/api/v1/employers",
                      {"name": "果园某公司", "uscc": "", "headcount": 5, "org": "110118002"},
                      token=s.admin)
        assert r.status == 201, r
        cls.other_employer = r.json["id"]
        r = s.request("POST", "/api/v1/employers",
                      {"name": "鼓楼某公司", "headcount": 5, "org": "110118001"}, token=s.admin)
        cls.own_employer = r.json["id"]
        # An application and a member in 果园街道 (outside 鼓楼).
        tok = s.join_token("110118002")
        cls.other_app = s.join(tok, 1).json["application_id"]
        r = s.join(tok, 2)
        second, member_token = r.json["application_id"], r.json["access_token"]
        r = s.request("POST", "/api/v1/applications/%d/approve" % second, token=s.admin)
        assert r.status == 200, r
        cls.other_member = r.json["member_no"]
        # Its mutual-aid card, a claim, a giveaway of 果园街道 and a pickup code.
        r = s.request("POST", "/api/v1/cards", {"member_no": cls.other_member,
                                                "card_no": "6222020200112233446"},
                      token=s.admin)
        assert r.status == 201, r
        year = int(s.query("SELECT max(year) FROM claim_plans")[0][0])
        r = s.request("POST", "/api/v1/claims", {"member_no": cls.other_member, "year": year,
                                                 "kind": "inpatient", "selfpay_fen": 50000},
                      token=s.admin)
        assert r.status == 201, r
        cls.other_claim = r.json["id"]
        r = s.request("POST", "/api/v1/giveaways",
                      {"name": "果园礼包", "stock": 5, "org": "110118002",
                       "opens_at": "2020-01-01T00:00:00+08:00",
                       "closes_at": "2099-01-01T00:00:00+08:00"}, token=s.admin)
        assert r.status == 201, r
        cls.other_giveaway = r.json["id"]
        r = s.request("POST", "/api/v1/giveaways/%d/claim" % cls.other_giveaway, {},
                      token=member_token)
        assert r.status == 201, r
        cls.other_code = r.json["pickup_code"]
        third = s.join(tok, 3).json["application_id"]
        no3 = s.request("POST", "/api/v1/applications/%d/approve" % third,
                        token=s.admin).json["member_no"]
        r = s.request("POST", "/api/v1/members/%s/transfer" % no3, {"to_org": "110118003"},
                      token=s.admin)
        assert r.status == 201, r
        cls.other_transfer = r.json["id"]
        # A campaign run by 果园街道 and an event of theirs.
        r = s.request("POST", "/api/v1/campaigns",
                      {"name": "果园沟通会", "level": "town", "date_from": "2025-05-27",
                       "date_to": "2025-05-27", "org": "110118002"}, token=s.admin)
        assert r.status == 201, r
        cls.other_campaign = r.json["id"]
        r = s.request("POST", "/api/v1/events",
                      {"type": "worker_meeting", "org": "110118002", "venue": "果园集市",
                       "starts_at": "2025-05-27T10:00:00+08:00",
                       "campaign_id": cls.other_campaign}, token=s.admin)
        assert r.status == 201, r
        cls.other_event = r.json["id"]
        r = s.request("POST", "/api/v1/foundings",
                      {"employer_id": cls.other_employer, "guide_org": "110118002"},
                      token=s.admin)
        assert r.status == 201, r
        cls.other_founding = r.json["id"]

    def outside_calls(self):
        """One call per scoped route, aimed outside the caller's subtree."""
        e = self.other_employer
        return {
            "GET /api/v1/orgs": ("GET", "/api/v1/orgs?parent=110118002", None),
            "POST /api/v1/orgs": ("POST", "/api/v1/orgs",
                                  {"code": "x.out", "name": "越权", "level": "union",
                                   "parent": "110118002"}),
            "GET /api/v1/orgs/:code": ("GET", "/api/v1/orgs/110118002", None),
            "PATCH /api/v1/orgs/:code": ("PATCH", "/api/v1/orgs/110118002", {"name": "改名"}),
            "GET /api/v1/employers": ("GET", "/api/v1/employers?org=110118002", None),
            "POST /api/v1/employers": ("POST", "/api/v1/employers",
                                       {"name": "越权公司", "headcount": 1, "org": "110118002"}),
            "GET /api/v1/employers/:id": ("GET", "/api/v1/employers/%d" % e, None),
            "PATCH /api/v1/employers/:id": ("PATCH", "/api/v1/employers/%d" % e,
                                            {"headcount": 9}),
            "GET /api/v1/audit": ("GET", "/api/v1/audit?org=110118002", None),
            "GET /console/orgs/:code": ("GET", "/console/orgs/110118002", None),
            "GET /api/v1/orgs/:code/qr.png": ("GET", "/api/v1/orgs/110118002/qr.png", None),
            "GET /api/v1/orgs/:code/qr.svg": ("GET", "/api/v1/orgs/110118002/qr.svg", None),
            "GET /api/v1/applications": ("GET", "/api/v1/applications?org=110118002", None),
            "GET /api/v1/applications/:id": ("GET", "/api/v1/applications/%d" % self.other_app,
                                             None),
            "POST /api/v1/applications/:id/approve": (
                "POST", "/api/v1/applications/%d/approve" % self.other_app, None),
            "POST /api/v1/applications/:id/reject": (
                "POST", "/api/v1/applications/%d/reject" % self.other_app, {"reason": "越权"}),
            "GET /api/v1/members": ("GET", "/api/v1/members?org=110118002", None),
            "GET /api/v1/members/:no": ("GET", "/api/v1/members/" + self.other_member, None),
            "POST /api/v1/members/:no/reveal": (
                "POST", "/api/v1/members/%s/reveal" % self.other_member, None),
            "POST /api/v1/members/:no/transfer": (
                "POST", "/api/v1/members/%s/transfer" % self.other_member,
                {"to_org": "110118001"}),
            "GET /api/v1/members/:no/transfers": (
                "GET", "/api/v1/members/%s/transfers" % self.other_member, None),
            "POST /api/v1/members/:no/status": (
                "POST", "/api/v1/members/%s/status" % self.other_member,
                {"status": "retained", "reason": "越权"}),
            "POST /api/v1/transfers/:id/accept": (
                "POST", "/api/v1/transfers/%d/accept" % self.other_transfer, None),
            "POST /api/v1/transfers/:id/cancel": (
                "POST", "/api/v1/transfers/%d/cancel" % self.other_transfer, None),
            "GET /api/v1/transfers": ("GET", "/api/v1/transfers?org=110118003", None),
            "GET /console/orgs/:code/poster": ("GET", "/console/orgs/110118002/poster", None),
            "GET /console/campaigns/:id": (
                "GET", "/console/campaigns/%d" % self.other_campaign, None),
            "POST /console/campaigns": ("FORM", "/console/campaigns",
                                        {"name": "越权", "level": "town", "org": "110118002",
                                         "date_from": "2025-06-01", "date_to": "2025-06-01"}),
            "GET /console/events": ("GET", "/console/events?org=110118002", None),
            "POST /console/events": ("FORM", "/console/events",
                                     {"type": "worker_meeting", "org": "110118002",
                                      "venue": "越权", "date": "2025-06-01", "time": "10:00"}),
            "GET /console/events/:id": ("GET", "/console/events/%d" % self.other_event, None),
            "POST /console/events/:id/status": (
                "FORM", "/console/events/%d/status" % self.other_event, {"status": "held"}),
            "GET /console/events/:id/poster": (
                "GET", "/console/events/%d/poster" % self.other_event, None),
            "GET /console/events/:id/tally": (
                "GET", "/console/events/%d/tally" % self.other_event, None),
            "POST /console/events/:id/tally": (
                "FORM", "/console/events/%d/tally" % self.other_event,
                {"kind": "people", "label": "", "delta": "1", "tap": "x"}),
            "GET /api/v1/foundings": ("GET", "/api/v1/foundings?org=110118002", None),
            "GET /api/v1/reports/summary": (
                "GET", "/api/v1/reports/summary?org=110118002&from=2025-01-01&to=2025-06-30",
                None),
            "GET /api/v1/reports/months": (
                "GET", "/api/v1/reports/months?org=110118002&from=2025-01-01&to=2025-06-30",
                None),
            "GET /console/foundings": ("GET", "/console/foundings?org=110118002", None),
            "GET /console/reports": ("GET", "/console/reports?org=110118002", None),
            "POST /console/claims/:id/:step": (
                "FORM", "/console/claims/%d/verify" % self.other_claim, {}),
            "POST /console/members/:no/card": (
                "FORM", "/console/members/%s/card" % self.other_member,
                {"card_no": "6222020200000000018"}),
            "POST /console/members/:no/claim": (
                "FORM", "/console/members/%s/claim" % self.other_member,
                {"year": "2026", "kind": "outpatient", "selfpay_yuan": "100"}),
            "POST /console/foundings": ("FORM", "/console/foundings",
                                        {"employer_id": str(self.other_employer),
                                         "guide_org": "110118002"}),
            "GET /console/foundings/:id": (
                "GET", "/console/foundings/%d" % self.other_founding, None),
            "POST /console/foundings/:id/steps": (
                "FORM", "/console/foundings/%d/steps" % self.other_founding,
                {"step": "contacted", "date": "2025-01-01"}),
            "GET /console/employers/:id": ("GET", "/console/employers/%d" % e, None),
            "POST /api/v1/foundings": ("POST", "/api/v1/foundings",
                                       {"employer_id": self.other_employer,
                                        "guide_org": "110118002"}),
            "GET /api/v1/foundings/alerts": ("GET", "/api/v1/foundings/alerts?org=110118002",
                                             None),
            "GET /api/v1/foundings/summary": (
                "GET", "/api/v1/foundings/summary?org=110118002&from=2025-01-01&to=2025-12-31",
                None),
            "GET /api/v1/foundings/:id": ("GET", "/api/v1/foundings/%d" % self.other_founding,
                                          None),
            "POST /api/v1/foundings/:id/steps": (
                "POST", "/api/v1/foundings/%d/steps" % self.other_founding,
                {"step": "contacted", "date": "2025-01-01"}),
            "POST /api/v1/campaigns": ("POST", "/api/v1/campaigns",
                                       {"name": "越权", "level": "town", "org": "110118002",
                                        "date_from": "2025-06-01", "date_to": "2025-06-01"}),
            "GET /api/v1/campaigns/:id": ("GET", "/api/v1/campaigns/%d" % self.other_campaign,
                                          None),
            "GET /api/v1/campaigns/:id/board": (
                "GET", "/api/v1/campaigns/%d/board" % self.other_campaign, None),
            "GET /api/v1/events": ("GET", "/api/v1/events?org=110118002", None),
            "POST /api/v1/events": ("POST", "/api/v1/events",
                                    {"type": "worker_meeting", "org": "110118002",
                                     "venue": "越权", "starts_at": "2025-06-01T10:00:00+08:00"}),
            "GET /api/v1/events/:id": ("GET", "/api/v1/events/%d" % self.other_event, None),
            "PATCH /api/v1/events/:id": ("PATCH", "/api/v1/events/%d" % self.other_event,
                                         {"venue": "改"}),
            "POST /api/v1/events/:id/tallies": (
                "POST", "/api/v1/events/%d/tallies" % self.other_event, {"people": 1}),
            "GET /api/v1/events/:id/qr.png": (
                "GET", "/api/v1/events/%d/qr.png" % self.other_event, None),
            "GET /api/v1/events/:id/qr.svg": (
                "GET", "/api/v1/events/%d/qr.svg" % self.other_event, None),
            "GET /api/v1/orgs/:code/tally-labels": (
                "GET", "/api/v1/orgs/110118002/tally-labels", None),
            "PUT /api/v1/orgs/:code/tally-labels": (
                "PUT", "/api/v1/orgs/110118002/tally-labels", {"materials": ["越权"]}),
            "GET /console/members/:no": ("GET", "/console/members/" + self.other_member, None),
            "POST /console/applications/:id/approve": (
                "POST", "/console/applications/%d/approve" % self.other_app, None),
            "POST /console/applications/:id/reject": (
                "POST", "/console/applications/%d/reject" % self.other_app, None),
            # Member services
            "POST /api/v1/cards": ("POST", "/api/v1/cards",
                                   {"member_no": self.other_member,
                                    "card_no": "6222020200112233453"}),
            "GET /api/v1/cards/counts": (
                "GET", "/api/v1/cards/counts?org=110118002&from=2020-01-01&to=2099-12-31", None),
            "GET /api/v1/members/:no/card": (
                "GET", "/api/v1/members/%s/card" % self.other_member, None),
            "POST /api/v1/members/:no/card/reissue": (
                "POST", "/api/v1/members/%s/card/reissue" % self.other_member,
                {"card_no": "6222020200112233453", "reason": "越权"}),
            "POST /api/v1/members/:no/card/lost": (
                "POST", "/api/v1/members/%s/card/lost" % self.other_member, {"reason": "越权"}),
            "POST /api/v1/claim-plans": (
                "POST", "/api/v1/claim-plans", {"year": 2090, "kind": "inpatient",
                                                "deductible_fen": 0, "ratio_bp": 5000,
                                                "cap_fen": 100}),
            "POST /api/v1/claims": ("POST", "/api/v1/claims",
                                    {"member_no": self.other_member, "year": 2090,
                                     "kind": "inpatient", "selfpay_fen": 100}),
            "GET /api/v1/claims": ("GET", "/api/v1/claims?org=110118002", None),
            "GET /api/v1/claims/payable": ("GET", "/api/v1/claims/payable?org=110118002", None),
            "GET /api/v1/claims/export.xlsx": (
                "GET", "/api/v1/claims/export.xlsx?org=110118002", None),
            "GET /api/v1/claims/:id": ("GET", "/api/v1/claims/%d" % self.other_claim, None),
            "POST /api/v1/claims/:id/verify": (
                "POST", "/api/v1/claims/%d/verify" % self.other_claim, None),
            "POST /api/v1/claims/:id/approve": (
                "POST", "/api/v1/claims/%d/approve" % self.other_claim, None),
            "POST /api/v1/claims/:id/reject": (
                "POST", "/api/v1/claims/%d/reject" % self.other_claim, {"reason": "越权"}),
            "POST /api/v1/claims/:id/pay": (
                "POST", "/api/v1/claims/%d/pay" % self.other_claim, {}),
            "POST /api/v1/claims/:id/reveal": (
                "POST", "/api/v1/claims/%d/reveal" % self.other_claim, None),
            "POST /api/v1/giveaways": ("POST", "/api/v1/giveaways",
                                       {"name": "越权", "stock": 1, "org": "110118002",
                                        "opens_at": "2020-01-01T00:00:00+08:00",
                                        "closes_at": "2099-01-01T00:00:00+08:00"}),
            "GET /api/v1/giveaways": ("GET", "/api/v1/giveaways?org=110118002", None),
            "GET /api/v1/giveaways/:id": (
                "GET", "/api/v1/giveaways/%d" % self.other_giveaway, None),
            "POST /api/v1/giveaways/:id/redeem": (
                "POST", "/api/v1/giveaways/%d/redeem" % self.other_giveaway,
                {"pickup_code": self.other_code}),
            "GET /console/giveaways/:id": (
                "GET", "/console/giveaways/%d" % self.other_giveaway, None),
            "POST /console/giveaways/:id/redeem": (
                "POST", "/console/giveaways/%d/redeem" % self.other_giveaway, None),
            "GET /console/import": ("GET", "/console/import?org=110118002", None),
            "POST /console/import": ("POST", "/console/import", self.upload_form("110118002")),
        }

    def upload_form(self, org):
        """A roster upload aimed at org: (multipart body, content type)."""
        csv = ("姓名,身份证号,手机号\r\n越权,%s,%s\r\n" % (person(901), phone(901))).encode()
        return multipart({"org": org}, {"file": ("r.csv", csv)})

    def test_bulk_approval_refuses_each_item_outside(self):
        for who in (self.town, self.union):
            before = self.s.snapshot()
            r = self.s.request("POST", "/api/v1/applications/approve",
                               {"ids": [self.other_app]}, token=who)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["approved"], [])
            self.assertEqual([x["error"] for x in r.json["refused"]], ["forbidden"])
            self.assertUnchanged(before)

    def test_campaign_list_holds_only_campaigns_one_takes_part_in(self):
        for who in (self.town, self.union):
            r = self.s.request("GET", "/api/v1/campaigns", token=who)
            self.assertEqual(r.status, 200, r)
            self.assertNotIn(self.other_campaign, [c["id"] for c in r.json["items"]])
        r = self.s.request("GET", "/api/v1/campaigns", token=self.viewer)
        self.assertIn(self.other_campaign, [c["id"] for c in r.json["items"]])
    def test_batch_payment_refuses_each_claim_outside(self):
        for who in (self.town, self.union):
            before = self.s.snapshot()
            r = self.s.request("POST", "/api/v1/claims/pay", {"ids": [self.other_claim]},
                               token=who)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["paid"], [])
            self.assertEqual([x["error"] for x in r.json["refused"]], ["forbidden"])
            self.assertUnchanged(before)

    def test_every_route_is_classified(self):
        with open(ROUTES_C, encoding="utf-8") as f:
            routes = {"%s %s" % m for m in re.findall(r'\{"([A-Z]+)", "([^"]+)"', f.read())}
        covered = UNSCOPED | set(self.outside_calls()) | {
            "POST /api/v1/applications/approve", "POST /console/applications/approve",
            "GET /api/v1/campaigns", "POST /api/v1/claims/pay", "POST /console/claims/pay"}
        self.assertEqual(routes - covered, set(), "routes without a scope test")
        self.assertEqual(covered - routes, set(), "scope tests for routes that do not exist")

    def test_outside_the_subtree_is_403_for_every_route(self):
        for who in (self.town, self.union):
            for name, (method, path, body) in self.outside_calls().items():
                before = self.s.snapshot()
                if method == "FORM":
                    r = self.s.request("POST", path, raw=urllib.parse.urlencode(body).encode(),
                                       token=who, headers={
                                           "Content-Type": "application/x-www-form-urlencoded"})
                elif isinstance(body, tuple):       # a multipart form
                    r = self.s.request(method, path, raw=body[0], token=who,
                                       headers={"Content-Type": body[1]})
                else:
                    r = self.s.request(method, path, body, token=who)
                self.assertEqual(r.status, 403, "%s: %r" % (name, r))
                if not path.startswith("/console"):
                    self.assertError(r, 403, "forbidden")
                else:
                    self.assertIn("text/html", r.header("Content-Type"))
                self.assertUnchanged(before)

    def test_inside_the_subtree_works(self):
        t = self.town
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/110118001", token=t).status, 200)
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/110118001.J1", token=t).status, 200)
        r = self.s.request("GET", "/api/v1/orgs", token=t)
        self.assertEqual([o["code"] for o in r.json["items"]], ["110118001"])
        r = self.s.request("POST", "/api/v1/orgs", {"code": "x.in", "name": "鼓楼某公司工会",
                                                    "level": "union", "parent": "110118001"},
                           token=t)
        self.assertEqual(r.status, 201, r)
        r = self.s.request("GET", "/api/v1/employers/%d" % self.own_employer, token=t)
        self.assertEqual(r.status, 200)
        r = self.s.request("GET", "/api/v1/employers", token=t)
        self.assertEqual({e["org"] for e in r.json["items"]}, {"110118001"})
        self.assertEqual(self.s.request("GET", "/api/v1/audit", token=t).status, 200)
        body, ctype = self.upload_form("110118001")
        r = self.s.request("POST", "/console/import", raw=body, token=t,
                           headers={"Content-Type": ctype})
        self.assertEqual(r.status, 200, r)
        self.assertIn('<dd id="imported">1</dd>', r.text)

    def test_parent_and_ancestors_are_outside(self):
        for code in ("110118", "110000"):
            self.assertError(self.s.request("GET", "/api/v1/orgs/" + code, token=self.town),
                             403, "forbidden")

    def test_viewer_reads_but_never_writes(self):
        v = self.viewer
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/110118002", token=v).status, 200)
        self.assertEqual(self.s.request("GET", "/api/v1/employers/%d" % self.other_employer,
                                        token=v).status, 200)
        writes = [
            ("POST", "/api/v1/orgs", {"code": "x.v", "name": "x", "level": "union",
                                      "parent": "110118002"}),
            ("PATCH", "/api/v1/orgs/110118002", {"name": "x"}),
            ("POST", "/api/v1/employers", {"name": "x", "headcount": 1, "org": "110118002"}),
            ("PATCH", "/api/v1/employers/%d" % self.other_employer, {"headcount": 3}),
            ("GET", "/api/v1/audit", None),
        ]
        for method, path, body in writes:
            before = self.s.snapshot()
            self.assertError(self.s.request(method, path, body, token=v), 403, "forbidden")
            self.assertUnchanged(before)
        before = self.s.snapshot()
        body, ctype = self.upload_form("110118002")
        r = self.s.request("POST", "/console/import", raw=body, token=v,
                           headers={"Content-Type": ctype})
        self.assertEqual(r.status, 403, r)
        self.assertUnchanged(before)

    def test_union_staff_cannot_manage(self):
        u = self.union
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/110118400.U1", token=u).status, 200)
        before = self.s.snapshot()
        self.assertError(self.s.request("PATCH", "/api/v1/orgs/110118400.U1", {"name": "x"},
                                        token=u), 403)
        self.assertError(self.s.request("POST", "/api/v1/employers",
                                        {"name": "x", "headcount": 1, "org": "110118400.U1"},
                                        token=u), 403)
        self.assertUnchanged(before)

    def test_sibling_with_a_longer_id_is_not_inside(self):
        # Paths are id lists: /1/2/ must not cover /1/23/.  Make a town whose
        # id starts with another town's id and check both directions.
        rows = dict(self.s.query("SELECT code, id FROM orgs"))
        base = rows["110118001"]
        n = 0
        while max(rows.values()) < base * 10:
            n += 1
            code = "x.fill%d" % n
            r = self.s.request("POST", "/api/v1/orgs", {"code": code, "name": "填充",
                                                        "level": "town", "parent": "110118"},
                               token=self.s.admin)
            self.assertEqual(r.status, 201)
            rows[code] = self.s.query("SELECT id FROM orgs WHERE code=?", code)[0][0]
        target = [c for c, i in rows.items() if str(i).startswith(str(base)) and i != base]
        self.assertTrue(target)
        for code in target:
            self.assertError(self.s.request("GET", "/api/v1/orgs/" + code, token=self.town),
                             403, "forbidden")


if __name__ == "__main__":
    main()
