"""Members after joining: the worker's card and personal token, transfers
between unions, retained and withdrawn status, the console's review."""
import re
import urllib.parse

from harness import ADMIN_PW, ServerTest, main, person


class MembersTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.s.join_token("110118100")           # 密云镇

    def member(self, i, **kw):
        """Joins and approves worker i; returns (member_no, access_token)."""
        r = self.s.join(self.token, i, **kw)
        assert r.status == 201, r
        a = r.json
        r = self.s.request("POST", "/api/v1/applications/%d/approve" % a["application_id"],
                           token=self.s.admin)
        assert r.status == 200, r
        return r.json["member_no"], a["access_token"]

    def test_personal_token_shows_the_application_then_the_card(self):
        r = self.s.join(self.token, 1000)
        tok, app = r.json["access_token"], r.json["application_id"]
        me = self.s.request("GET", "/api/v1/me", token=tok)
        self.assertEqual((me.status, me.json["kind"], me.json["application"]["status"]),
                         (200, "application", "pending"))
        page = self.s.request("GET", "/card", headers={"Cookie": "ub_member=" + tok})
        self.assertIn("审核中", page.text)
        no = self.s.request("POST", "/api/v1/applications/%d/approve" % app,
                            token=self.s.admin).json["member_no"]
        me = self.s.request("GET", "/api/v1/me", token=tok).json
        self.assertEqual((me["kind"], me["member"]["member_no"]), ("member", no))
        self.assertNotIn(person(1000), str(me))
        page = self.s.request("GET", "/card", headers={"Cookie": "ub_member=" + tok})
        self.assertIn("电子会员卡", page.text)
        self.assertIn(no, page.text)
        self.assertIn("<svg", page.text)
        self.assertError(self.s.request("GET", "/api/v1/me"), 401, "unauthenticated")
        self.assertError(self.s.request("GET", "/api/v1/me", token="x" * 43), 401)
        self.assertEqual(self.s.request("GET", "/card").status, 401)

    def test_member_token_cli_replaces_the_token(self):
        no, old = self.member(1010)
        r = self.s.cli("member", "token", no)
        self.assertEqual(r.returncode, 0, r.stderr)
        new = r.stdout.strip()
        self.assertEqual(self.s.request("GET", "/api/v1/me", token=new).json["member"]
                         ["member_no"], no)
        self.assertError(self.s.request("GET", "/api/v1/me", token=old), 401)
        link = self.s.request("GET", "/card?t=" + new)
        self.assertEqual((link.status, link.header("Location")), (303, "/card"))
        self.assertIn("ub_member=" + new, link.header("Set-Cookie"))
        r = self.s.cli("member", "token", "000000000000")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("member_not_found", r.stderr)

    def test_transfer_release_accept_history(self):
        no, _ = self.member(1020)
        town = self.s.user("mb.gulou", "federation", "110118001")   # the receiving side
        before = self.s.snapshot()
        for body, code in (({}, "missing_field"), ({"to_org": "nope"}, "org_not_found"),
                           ({"to_org": "110118100"}, "same_org")):
            self.assertError(self.s.request("POST", "/api/v1/members/%s/transfer" % no, body,
                                            token=self.s.admin), 422, code)
        self.assertUnchanged(before)
        r = self.s.request("POST", "/api/v1/members/%s/transfer" % no,
                           {"to_org": "110118001", "note": "换工作到鼓楼"}, token=self.s.admin)
        self.assertEqual(r.status, 201, r)
        t = r.json
        self.assertEqual((t["from_org"], t["to_org"], t["status"]),
                         ("110118100", "110118001", "pending"))
        m = self.s.request("GET", "/api/v1/members/" + no, token=self.s.admin).json
        self.assertEqual(m["status"], "transferring")
        self.assertError(self.s.request("POST", "/api/v1/members/%s/transfer" % no,
                                        {"to_org": "110118002"}, token=self.s.admin),
                         409, "not_active")
        # Still one live membership while transferring: no second join.
        self.assertError(self.s.join(self.token, 1020), 409, "already_member")
        # The receiving town sees it arriving and accepts; it could not see
        # the member before.
        inbox = self.s.request("GET", "/api/v1/transfers", token=town).json["items"]
        self.assertEqual([(x["id"], x["member_no"]) for x in inbox], [(t["id"], no)])
        other = self.s.user("mb.guoyuan", "federation", "110118002")
        self.assertEqual(self.s.request("GET", "/api/v1/transfers", token=other).json["items"], [])
        r = self.s.request("POST", "/api/v1/transfers/%d/accept" % t["id"], token=town)
        self.assertEqual(r.status, 200, r)
        m = self.s.request("GET", "/api/v1/members/" + no, token=town).json
        self.assertEqual((m["org"], m["status"]), ("110118001", "active"))
        self.assertError(self.s.request("POST", "/api/v1/transfers/%d/accept" % t["id"],
                                        token=town), 409, "not_pending")
        self.assertEqual(self.s.request("GET", "/api/v1/transfers", token=town).json["items"], [])
        hist = self.s.request("GET", "/api/v1/members/%s/transfers" % no, token=town).json
        self.assertEqual([(x["from_org"], x["to_org"], x["status"]) for x in hist["items"]],
                         [("110118100", "110118001", "accepted")])
        actions = [a for (a,) in self.s.query(
            "SELECT action FROM audit_log WHERE object_id = ? AND action LIKE 'transfer.%' "
            "ORDER BY id", no)]
        self.assertEqual(actions, ["transfer.request", "transfer.accept"])

    def test_transfer_cancel_keeps_the_member(self):
        no, _ = self.member(1030)
        t = self.s.request("POST", "/api/v1/members/%s/transfer" % no, {"to_org": "110118002"},
                           token=self.s.admin).json
        r = self.s.request("POST", "/api/v1/transfers/%d/cancel" % t["id"], token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        m = self.s.request("GET", "/api/v1/members/" + no, token=self.s.admin).json
        self.assertEqual((m["org"], m["status"]), ("110118100", "active"))
        self.assertError(self.s.request("POST", "/api/v1/transfers/999999/accept",
                                        token=self.s.admin), 404, "transfer_not_found")

    def test_status_changes(self):
        no, _ = self.member(1040)
        url = "/api/v1/members/%s/status" % no
        before = self.s.snapshot()
        self.assertError(self.s.request("POST", url, {"status": "retained"}, token=self.s.admin),
                         422)
        self.assertError(self.s.request("POST", url, {"status": "king", "reason": "x"},
                                        token=self.s.admin), 422, "invalid_status")
        self.assertError(self.s.request("POST", url, {"status": "active", "reason": "x"},
                                        token=self.s.admin), 409, "invalid_transition")
        self.assertUnchanged(before)
        r = self.s.request("POST", url, {"status": "retained", "reason": "退休"},
                           token=self.s.admin)
        self.assertEqual((r.status, r.json["status"]), (200, "retained"))
        r = self.s.request("POST", url, {"status": "active", "reason": "返聘"},
                           token=self.s.admin)
        self.assertEqual(r.json["status"], "active")
        r = self.s.request("POST", url, {"status": "withdrawn", "reason": "本人申请退会"},
                           token=self.s.admin)
        self.assertEqual(r.json["status"], "withdrawn")
        self.assertError(self.s.request("POST", url, {"status": "active", "reason": "x"},
                                        token=self.s.admin), 409, "invalid_transition")
        # Withdrawn: the person may join again.
        self.assertEqual(self.s.join(self.token, 1040).status, 201)


class ConsoleReviewTest(ServerTest):

    def session(self):
        page = self.s.request("GET", "/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = self.s.request("POST", "/login", raw=urllib.parse.urlencode(
            {"login": "admin", "password": ADMIN_PW, "csrf": csrf}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": "ub_csrf=" + csrf})
        return r.header("Set-Cookie").split(";")[0]

    def post_form(self, path, fields, cookie):
        return self.s.request("POST", path, raw=urllib.parse.urlencode(fields, doseq=True).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Cookie": cookie})

    def test_review_in_the_console(self):
        tok = self.s.join_token("110118")
        ids = [self.s.join(tok, 2000 + i, name="审核%d" % i).json["application_id"]
               for i in range(4)]
        cookie = self.session()
        page = self.s.request("GET", "/console/applications", headers={"Cookie": cookie})
        self.assertEqual(page.status, 200)
        for i in range(4):
            self.assertIn("审核%d" % i, page.text)
        self.assertNotIn(person(2000), page.text)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        # Without the CSRF token nothing happens.
        before = self.s.snapshot()
        r = self.post_form("/console/applications/%d/approve" % ids[0], {}, cookie)
        self.assertEqual(r.status, 403)
        self.assertUnchanged(before)
        r = self.post_form("/console/applications/%d/approve" % ids[0], {"csrf": csrf}, cookie)
        self.assertEqual((r.status, r.header("Location")),
                         (303, "/console/applications?done=1&failed=0"))
        r = self.post_form("/console/applications/%d/reject" % ids[1],
                           {"csrf": csrf, "reason": "信息不实"}, cookie)
        self.assertEqual(r.status, 303)
        r = self.post_form("/console/applications/approve",
                           {"csrf": csrf, "ids": [str(ids[2]), str(ids[3]), str(ids[0])]}, cookie)
        self.assertEqual(r.header("Location"), "/console/applications?done=2&failed=1")
        statuses = dict(self.s.query("SELECT id, status FROM applications WHERE id IN (?,?,?,?)",
                                     *ids))
        self.assertEqual([statuses[i] for i in ids],
                         ["approved", "rejected", "approved", "approved"])
        members = self.s.request("GET", "/console/members?q=%E5%AE%A1%E6%A0%B8",
                                 headers={"Cookie": cookie})
        self.assertEqual(members.text.count("/console/members/"), 3)
        no = re.search(r'/console/members/(\d+)', members.text).group(1)
        one = self.s.request("GET", "/console/members/" + no, headers={"Cookie": cookie})
        self.assertIn("会员关系接转记录", one.text)
        poster = self.s.request("GET", "/console/orgs/110118/poster", headers={"Cookie": cookie})
        self.assertIn('src="/api/v1/orgs/110118/qr.svg"', poster.text)
        qr = self.s.request("GET", "/api/v1/orgs/110118/qr.svg", headers={"Cookie": cookie})
        self.assertEqual(qr.status, 200, "the poster's image loads with the session")


if __name__ == "__main__":
    main()
