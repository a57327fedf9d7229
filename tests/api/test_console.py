"""The staff console: sign-in with CSRF, session cookies, the org tree
page, escaping and the content security policy."""
import re
import urllib.parse

from harness import ADMIN_PW, ServerTest, main


def cookies_of(r):
    out = {}
    for v in r.all_headers("Set-Cookie"):
        name, _, rest = v.partition("=")
        out[name] = (rest.split(";")[0], v)
    return out


class ConsoleTest(ServerTest):

    def form(self, path, fields, cookie=""):
        return self.s.request("POST", path, raw=urllib.parse.urlencode(fields).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Cookie": cookie})

    def sign_in(self):
        page = self.s.request("GET", "/login")
        csrf = cookies_of(page)["ub_csrf"][0]
        r = self.form("/login", {"login": "admin", "password": ADMIN_PW, "csrf": csrf},
                      cookie="ub_csrf=" + csrf)
        self.assertEqual(r.status, 303, r)
        return cookies_of(r)["ub_session"][0]

    def test_login_page(self):
        r = self.s.request("GET", "/login")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))
        html = r.text
        self.assertIn('lang="zh-CN"', html)
        self.assertIn("工作人员登录", html)
        self.assertIn('name="viewport"', html)
        csp = r.header("Content-Security-Policy")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        c = cookies_of(r)["ub_csrf"]
        self.assertIn("HttpOnly", c[1])
        self.assertIn("SameSite=Lax", c[1])
        self.assertIn('name="csrf" value="%s"' % c[0], html)

    def test_login_without_csrf_is_refused(self):
        before = self.s.snapshot()
        r = self.form("/login", {"login": "admin", "password": ADMIN_PW})
        self.assertEqual(r.status, 403)
        self.assertIn("text/html", r.header("Content-Type"))
        r = self.form("/login", {"login": "admin", "password": ADMIN_PW,
                                 "csrf": "a" * 32}, cookie="ub_csrf=" + "b" * 32)
        self.assertEqual(r.status, 403)
        self.assertUnchanged(before)

    def test_wrong_password_keeps_the_login_and_shows_the_error(self):
        page = self.s.request("GET", "/login")
        csrf = cookies_of(page)["ub_csrf"][0]
        r = self.form("/login", {"login": "admin<b>", "password": "wrong-password",
                                 "csrf": csrf}, cookie="ub_csrf=" + csrf)
        self.assertEqual(r.status, 401)
        self.assertIn("登录名或密码错误", r.text)
        self.assertIn('value="admin&lt;b&gt;"', r.text)

    def test_sign_in_sets_a_safe_session_cookie(self):
        page = self.s.request("GET", "/login")
        csrf = cookies_of(page)["ub_csrf"][0]
        r = self.form("/login", {"login": "admin", "password": ADMIN_PW, "csrf": csrf},
                      cookie="ub_csrf=" + csrf)
        self.assertEqual(r.header("Location"), "/console")
        raw = cookies_of(r)["ub_session"][1]
        for attr in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="):
            self.assertIn(attr, raw)

    def test_pages_need_a_session(self):
        for path in ("/console", "/console/orgs/110118"):
            r = self.s.request("GET", path)
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header("Location"), "/login")
        r = self.s.request("GET", "/")
        self.assertEqual((r.status, r.header("Location")), (303, "/console"))

    def test_org_tree_page(self):
        sess = self.sign_in()
        r = self.s.request("GET", "/console", headers={"Cookie": "ub_session=" + sess})
        self.assertEqual(r.status, 200)
        self.assertIn("北京市总工会", r.text)
        r = self.s.request("GET", "/console/orgs/110118",
                           headers={"Cookie": "ub_session=" + sess})
        self.assertEqual(r.status, 200)
        for town in ("鼓楼街道总工会", "密云镇总工会", "经济开发区总工会"):
            self.assertIn(town, r.text)
        self.assertIn('href="/console/orgs/110118100"', r.text)
        r = self.s.request("GET", "/console/orgs/110118100",
                           headers={"Cookie": "ub_session=" + sess})
        self.assertIn("北京力方达科技发展有限公司", r.text)
        self.assertIn("密云区总工会", r.text, "breadcrumb")
        r = self.s.request("GET", "/console/orgs/nope", headers={"Cookie": "ub_session=" + sess})
        self.assertEqual(r.status, 404)
        self.assertIn("text/html", r.header("Content-Type"))

    def test_names_are_escaped(self):
        evil = '<script>alert("x")</script>&'
        r = self.s.request("POST", "/api/v1/orgs", {"code": "t.evil", "name": evil,
                                                    "level": "town", "parent": "110118"},
                           token=self.s.admin)
        self.assertEqual(r.status, 201, r)
        sess = self.sign_in()
        for path in ("/console/orgs/t.evil", "/console/orgs/110118"):
            html = self.s.request("GET", path, headers={"Cookie": "ub_session=" + sess}).text
            self.assertNotIn("<script>", html)
            self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;", html)

    def test_cookie_writes_need_the_csrf_token(self):
        sess = self.sign_in()
        before = self.s.snapshot()
        r = self.s.request("POST", "/api/v1/orgs",
                           {"code": "t.csrf", "name": "x", "level": "town", "parent": "110118"},
                           headers={"Cookie": "ub_session=" + sess})
        self.assertError(r, 403, "csrf_failed")
        self.assertUnchanged(before)
        page = self.s.request("GET", "/console/orgs/110118",
                              headers={"Cookie": "ub_session=" + sess}).text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = self.s.request("POST", "/api/v1/orgs",
                           {"code": "t.csrf", "name": "x", "level": "town", "parent": "110118"},
                           headers={"Cookie": "ub_session=" + sess, "X-CSRF-Token": token})
        self.assertEqual(r.status, 201, r)

    def test_logout(self):
        sess = self.sign_in()
        page = self.s.request("GET", "/console/orgs/110118",
                              headers={"Cookie": "ub_session=" + sess}).text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = self.form("/logout", {"csrf": "wrong"}, cookie="ub_session=" + sess)
        self.assertEqual(r.status, 403)
        r = self.form("/logout", {"csrf": token}, cookie="ub_session=" + sess)
        self.assertEqual((r.status, r.header("Location")), (303, "/login"))
        r = self.s.request("GET", "/console/orgs/110118", headers={"Cookie": "ub_session=" + sess})
        self.assertEqual(r.status, 303)

    def test_stylesheet(self):
        r = self.s.request("GET", "/static/app.css")
        self.assertEqual(r.status, 200)
        self.assertIn("text/css", r.header("Content-Type"))
        self.assertIn("max-age", r.header("Cache-Control"))


if __name__ == "__main__":
    main()
