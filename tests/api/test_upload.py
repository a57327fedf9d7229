"""The console's roster upload (/console/import): the sample rosters (GBK,
UTF-8 with BOM) uploaded as a browser sends them, compared row by row with
their expected outcomes, the refused-rows report behind the page's download
link, re-uploading, batches and their audit entries, the digests shared
with scan-to-join, and what is refused: no CSRF token, an org outside the
caller's subtree, a viewer, a workbook, a body over the upload limit, and
anyone not signed in before the body is even sent."""
import base64
import csv
import http.client
import io
import json
import os
import re
import signal
import threading
import time
import urllib.parse

from harness import ADMIN_PW, STAFF_PW, ServerTest, main, multipart, person, phone
from test_roster import DATA, SAMPLES, expected, mask, roster_bytes

ROWS = re.compile(r'<dd id="(rows|imported|already|refused)">(\d+)</dd>')
REFUSAL = re.compile(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>'
                     r'<td data-reason="([a-z_0-9]+)">([^<]*)</td></tr>')
REPORT = re.compile(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"')


def unescape(s):
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))


class UploadTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        s.user("up.town", "federation", "110118001")     # 鼓楼街道
        s.user("up.viewer", "viewer", "110118")
        cls.town = s.console("up.town", STAFF_PW)
        cls.viewer = s.console("up.viewer", STAFF_PW)
        cls.admin = s.console("admin", ADMIN_PW)

    def upload(self, who, org, fname, data, csrf=None):
        body, ctype = multipart({"csrf": who.csrf if csrf is None else csrf, "org": org},
                                {"file": (fname, data)})
        return self.s.request("POST", "/console/import", raw=body,
                              headers={"Content-Type": ctype, "Cookie": who.cookie})

    def outcome(self, r):
        """({rows, imported, already, refused}, {row: (name, reason, message)},
        the downloaded report's rows) of a result page."""
        self.assertEqual(r.status, 200, r)
        self.assertIn("text/html", r.header("Content-Type"))
        html = r.text
        counts = {k: int(v) for k, v in ROWS.findall(html)}
        table = {int(n): (unescape(name), reason, unescape(msg))
                 for n, name, reason, msg in REFUSAL.findall(html)}
        m = REPORT.search(html)
        report = None
        if m:
            raw = base64.b64decode(m.group(1))
            self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "a BOM for Excel")
            report = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
        return counts, table, report

    def members(self, org):
        r = self.s.request("GET", "/api/v1/members?limit=1000&org=" + org, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    # ---- the samples -----------------------------------------------------------

    def check_sample(self, name, org):
        with open(os.path.join(DATA, name), "rb") as f:
            data = f.read()
        r = self.upload(self.town, org, name, data)
        counts, table, report = self.outcome(r)
        exp = expected(name)
        accepts = sum(1 for v in exp.values() if v == "accept")
        self.assertEqual(counts, {"rows": len(exp), "imported": accepts, "already": 0,
                                  "refused": len(exp) - accepts})
        self.assertEqual({row: v[1] for row, v in table.items()},
                         {row: v.split(":", 1)[1] for row, v in exp.items() if v != "accept"})
        for row, (who, reason, message) in table.items():
            self.assertTrue(message, row)
            if reason == "id_mangled_by_excel":
                self.assertIn("文本", message)
        # The download holds the same rows, reasons and names.
        self.assertEqual(report[0], ["行号", "原因代码", "说明", "姓名"])
        self.assertEqual({int(x[0]): (x[3], x[1], x[2]) for x in report[1:]}, table)
        self.assertIn("GBK" if "gbk" in name else "UTF-8", r.text)
        got = self.members(org)
        self.assertEqual(len(got), accepts)
        self.assertEqual({(m["channel"], m["status"], m["org"]) for m in got},
                         {("import", "active", org)})
        # Audited as the signed-in staff member, with the file's name.
        rows = self.s.query("SELECT a.login, a.detail FROM audit_log a JOIN orgs o "
                            "ON o.id = a.org_id WHERE a.action = 'member.import' "
                            "AND o.code = ?", org)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "up.town")
        self.assertIn(name, rows[0][1])
        self.assertIn('"imported":%d' % accepts, rows[0][1])
        return data, accepts

    def test_gbk_sample(self):
        self.check_sample("roster-sample-gbk.csv", "110118001")

    def test_utf8_bom_sample_and_reupload_changes_nothing(self):
        data, accepts = self.check_sample("roster-sample-utf8bom.csv", "110118001.J1")
        before = self.s.snapshot()
        counts, table, _ = self.outcome(self.upload(self.town, "110118001.J1", "again.csv",
                                                    data))
        self.assertEqual((counts["imported"], counts["already"]), (0, accepts))
        self.assertEqual(len(table), counts["refused"])
        self.assertUnchanged(before)

    def test_small_batches_each_audited(self):
        rows = [{"姓名": "上传%d" % i, "身份证号": person(40000 + i), "手机号": phone(40000 + i)}
                for i in range(2500)]
        counts, table, report = self.outcome(
            self.upload(self.admin, "110118104", "big.csv", roster_bytes(rows, encoding="gbk")))
        self.assertEqual(counts, {"rows": 2500, "imported": 2500, "already": 0, "refused": 0})
        self.assertEqual((table, report), ({}, None))
        details = [d for (d,) in self.s.query(
            "SELECT detail FROM audit_log WHERE action = 'member.import' "
            "AND detail LIKE '%big.csv%' ORDER BY id")]
        self.assertEqual(len(details), 3, "one transaction and entry per 1000 rows")
        for d, n in zip(details, (1000, 1000, 500)):
            self.assertIn('"imported":%d' % n, d)

    def test_the_same_digests_as_joining(self):
        # Imported first: the same person cannot join again by QR.
        idn = person(50001)
        self.outcome(self.upload(self.admin, "110118105", "one.csv", roster_bytes(
            [{"姓名": "先导入", "身份证号": idn, "手机号": phone(50001)}])))
        tok = self.s.join_token("110118105")
        self.assertError(self.s.join(tok, 50001), 409, "already_member")
        # Joined first: the roster counts the person as a member already,
        # with a lowercase check character in the file.
        app = self.s.join(tok, 50002).json["application_id"]
        r = self.s.request("POST", "/api/v1/applications/%d/approve" % app, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        counts, _, _ = self.outcome(self.upload(self.admin, "110118105", "two.csv", roster_bytes(
            [{"姓名": "先扫码", "身份证号": person(50002).lower(), "手机号": phone(50002)}])))
        self.assertEqual((counts["imported"], counts["already"]), (0, 1))
        # Found by phone (the phone digest) in a member search.
        r = self.s.request("GET", "/api/v1/members?org=110118105&q=" + phone(50001),
                           token=self.s.admin)
        self.assertEqual([m["id_number"] for m in r.json["items"]], [mask(idn)])

    # ---- what is refused ---------------------------------------------------------

    def good_file(self, i):
        return roster_bytes([{"姓名": "拒绝%d" % i, "身份证号": person(51000 + i),
                              "手机号": phone(51000 + i)}])

    def test_csrf_is_required(self):
        before = self.s.snapshot()
        for csrf in ("", "wrong"):
            r = self.upload(self.town, "110118001", "x.csv", self.good_file(1), csrf=csrf)
            self.assertEqual(r.status, 403, r)
            self.assertIn("页面已过期", r.text)
        self.assertUnchanged(before)

    def test_outside_the_subtree_and_viewers_are_refused(self):
        before = self.s.snapshot()
        r = self.upload(self.town, "110118002", "x.csv", self.good_file(2))   # 果园街道
        self.assertEqual(r.status, 403, r)
        r = self.upload(self.viewer, "110118002", "x.csv", self.good_file(3))
        self.assertEqual(r.status, 403, r)
        r = self.upload(self.town, "nope", "x.csv", self.good_file(4))
        self.assertEqual(r.status, 404, r)
        self.assertUnchanged(before)
        # The form offers the caller's own org and its children only.
        page = self.s.request("GET", "/console/import", headers={"Cookie": self.town.cookie}).text
        offered = set(re.findall(r'<option value="([^"]+)"', page))
        self.assertIn("110118001", offered)
        self.assertNotIn("110118002", offered)
        self.assertEqual(self.s.request("GET", "/console/import?org=110118002",
                                        headers={"Cookie": self.town.cookie}).status, 403)

    def test_bad_files_are_explained_above_the_form(self):
        before = self.s.snapshot()
        cases = {
            "book.xlsx": (b"PK\x03\x04" + b"\0" * 64, "Excel工作簿"),
            "empty.csv": (b"", "请选择要导入的名册文件"),
            "header.csv": ("name,id\r\n张三,1\r\n".encode(), "表头缺少必需的列"),
        }
        for fname, (data, words) in cases.items():
            r = self.upload(self.town, "110118001", fname, data)
            self.assertEqual(r.status, 400, (fname, r))
            self.assertIn(words, r.text, fname)
            self.assertIn('enctype="multipart/form-data"', r.text)
        # Not multipart at all, and a multipart body without the file.
        cookie, token = self.town.cookie, self.town.csrf
        r = self.s.request("POST", "/console/import",
                           raw=urllib.parse.urlencode({"csrf": token, "org": "110118001"}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Cookie": cookie})
        self.assertEqual(r.status, 400, r)
        self.assertUnchanged(before)

    def raw_post(self, headers):
        return self.raw_post_to("/console/import", headers)

    def raw_post_to(self, path, headers):
        """Sends only the headers of a POST and reads the answer: the
        server must reply without waiting for the body."""
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=30)
        try:
            c.putrequest("POST", path)
            for k, v in headers.items():
                c.putheader(k, v)
            c.endheaders()
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def test_body_limits(self):
        ctype = "multipart/form-data; boundary=x"
        # Not signed in: sent to the sign-in page before any of the body.
        status, headers, _ = self.raw_post({"Content-Type": ctype,
                                            "Content-Length": str(8 << 20)})
        self.assertEqual((status, headers.get("Location")), (303, "/login"))
        # Signed in, but over the upload limit (16 MB): 413 at once.
        status, _, body = self.raw_post({"Content-Type": ctype, "Cookie": self.town.cookie,
                                         "Content-Length": str((16 << 20) + 1)})
        self.assertEqual(status, 413)
        self.assertIn("16 MB", body.decode())
        # Other console forms keep the 1 MiB limit.
        status, _, body = self.raw_post_to("/console/applications/approve",
                                           {"Content-Type": "application/x-www-form-urlencoded",
                                            "Cookie": self.town.cookie,
                                            "Content-Length": str((1 << 20) + 1)})
        self.assertEqual(status, 413)
        # A few MB of roster go through.
        rows = [{"姓名": "大文件%d" % i, "身份证号": person(53000 + i), "手机号": phone(53000 + i),
                 "现居住地": "北京市密云区鼓楼街道" + "某" * 400} for i in range(3000)]
        data = roster_bytes(rows)
        self.assertGreater(len(data), 3 << 20)
        counts, _, _ = self.outcome(self.upload(self.admin, "110118106", "large.csv", data))
        self.assertEqual(counts["imported"], 3000)



class ShutdownTest(ServerTest):
    """SIGTERM while joins wait in the batch writer and roster uploads run
    on their own threads (both with their connections suspended): serve
    answers or refuses (503 shutting_down) every request it took, exits
    cleanly, and every join it answered 201 is there afterwards."""

    def test_sigterm_under_load(self):
        s = self.s
        s.user("sd.town", "federation", "110118001")
        town = s.console("sd.town", STAFF_PW)
        tok = s.join_token("110118")
        with open(os.path.join(DATA, "roster-sample-utf8bom.csv"), "rb") as f:
            roster = f.read()
        body, ctype = multipart({"csrf": town.csrf, "org": "110118001"},
                                {"file": ("roster.csv", roster)})
        acked, uploads, others = [], [], []
        lock, stop = threading.Lock(), threading.Event()

        def answered(r, ok, into):
            """Keeps r's fate; False once the server is gone."""
            with lock:
                if r.status == ok:
                    into.append(r)
                elif r.status != 0:
                    others.append((r.status, r.body))
            return r.status != 0

        def joins(base):
            i = base
            while not stop.is_set():
                try:
                    r = s.join(tok, i)
                except OSError:
                    return
                if not answered(r, 201, acked):
                    return
                i += 6

        def uploads_():
            while not stop.is_set():
                try:
                    r = s.request("POST", "/console/import", raw=body,
                                  headers={"Content-Type": ctype, "Cookie": town.cookie})
                except OSError:
                    return
                if not answered(r, 200, uploads):
                    return

        threads = [threading.Thread(target=joins, args=(700000 + k,)) for k in range(6)]
        threads += [threading.Thread(target=uploads_) for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while (len(acked) < 30 or not uploads) and time.monotonic() < deadline:
            time.sleep(0.01)
        s.proc.send_signal(signal.SIGTERM)
        code = s.proc.wait(60)
        stop.set()
        for t in threads:
            t.join()
        s.proc = None
        self.assertEqual(code, 0, s.read_log()[-2000:])
        self.assertGreaterEqual(len(acked), 30)
        self.assertTrue(uploads)
        # Anything else was refused for the shutdown (the console's form
        # on a page, the API in JSON), never failed.
        def shutting_down(status, body):
            if status != 503:
                return False
            if body.startswith(b"{"):
                return json.loads(body)["error"]["code"] == "shutting_down"
            return "服务正在停止" in body.decode("utf-8")
        self.assertEqual([o for o in others if not shutting_down(*o)], [])
        s.start()
        ids = {r.json["application_id"] for r in acked}
        got = {row[0] for row in s.query("SELECT id FROM applications WHERE name LIKE '职工7%'")}
        self.assertEqual(ids - got, set(), "acknowledged but lost")


if __name__ == "__main__":
    main()
