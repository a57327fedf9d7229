"""Every role acts only inside its own subtree: each route is tried from
outside (403) and, for writes, by roles that may not write.

The test reads the route table from src/routes.c, so a new route without a
scope case here fails the suite."""
import os
import re

from harness import ServerTest, main, person, phone

ROUTES_C = os.path.join(os.path.dirname(__file__), "..", "..", "src", "routes.c")

# Routes that need no subtree: public, or about the caller's own session.
UNSCOPED = {
    "GET /healthz", "GET /metrics", "POST /api/v1/auth/login", "POST /api/v1/auth/logout",
    "GET /api/v1/auth/me", "GET /", "GET /login", "POST /login", "POST /logout",
    "GET /console", "GET /static/app.css", "GET /static/join.css",
    "POST /api/v1/join/:token", "GET /j/:token", "POST /j/:token",
    "GET /api/v1/me", "GET /card", "GET /console/applications", "GET /console/members",
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
        second = s.join(tok, 2).json["application_id"]
        r = s.request("POST", "/api/v1/applications/%d/approve" % second, token=s.admin)
        assert r.status == 200, r
        cls.other_member = r.json["member_no"]
        third = s.join(tok, 3).json["application_id"]
        no3 = s.request("POST", "/api/v1/applications/%d/approve" % third,
                        token=s.admin).json["member_no"]
        r = s.request("POST", "/api/v1/members/%s/transfer" % no3, {"to_org": "110118003"},
                      token=s.admin)
        assert r.status == 201, r
        cls.other_transfer = r.json["id"]

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
            "GET /console/members/:no": ("GET", "/console/members/" + self.other_member, None),
            "POST /console/applications/:id/approve": (
                "POST", "/console/applications/%d/approve" % self.other_app, None),
            "POST /console/applications/:id/reject": (
                "POST", "/console/applications/%d/reject" % self.other_app, None),
            "GET /console/import": ("GET", "/console/import?org=110118002", None),
            "POST /console/import": ("POST", "/console/import", self.upload_form("110118002")),
        }

    def upload_form(self, org):
        """A roster upload aimed at org: (multipart body, content type)."""
        b = "----scope"
        csv = ("姓名,身份证号,手机号\r\n越权,%s,%s\r\n" % (person(901), phone(901))).encode()
        body = ('--%s\r\nContent-Disposition: form-data; name="org"\r\n\r\n%s\r\n'
                '--%s\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n'
                '\r\n' % (b, org, b)).encode() + csv + ("\r\n--%s--\r\n" % b).encode()
        return body, "multipart/form-data; boundary=" + b

    def test_bulk_approval_refuses_each_item_outside(self):
        for who in (self.town, self.union):
            before = self.s.snapshot()
            r = self.s.request("POST", "/api/v1/applications/approve",
                               {"ids": [self.other_app]}, token=who)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["approved"], [])
            self.assertEqual([x["error"] for x in r.json["refused"]], ["forbidden"])
            self.assertUnchanged(before)

    def test_every_route_is_classified(self):
        with open(ROUTES_C, encoding="utf-8") as f:
            routes = {"%s %s" % m for m in re.findall(r'\{"([A-Z]+)", "([^"]+)"', f.read())}
        covered = UNSCOPED | set(self.outside_calls()) | {
            "POST /api/v1/applications/approve", "POST /console/applications/approve"}
        self.assertEqual(routes - covered, set(), "routes without a scope test")
        self.assertEqual(covered - routes, set(), "scope tests for routes that do not exist")

    def test_outside_the_subtree_is_403_for_every_route(self):
        for who in (self.town, self.union):
            for name, (method, path, body) in self.outside_calls().items():
                before = self.s.snapshot()
                if isinstance(body, tuple):         # a multipart form
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
