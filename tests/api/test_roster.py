"""Rosters: `import members` (the sample rosters in GBK and UTF-8 with BOM,
compared row by row with their expected outcomes; re-import; columns,
categories, batches; bad files and arguments) and `export members` (the
workbook read back: sheet, header, masking, reveal and its audit entry)."""
import csv
import io
import os
import random
import re
import stat
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

from harness import ServerTest, id_number, main, person, phone

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
SAMPLES = {
    # file: (org it is imported into, encoding)
    "roster-sample-gbk.csv": ("110118001", "gbk"),
    "roster-sample-utf8bom.csv": ("110118002", "utf-8-sig"),
}
HEADER = ["姓名", "性别", "身份证号", "身份证有效期", "学历", "就业状态", "技能等级", "现居住地",
          "是否外地来京务工", "手机号", "互助服务卡卡号", "会籍状态"]
EXPORT_HEADER = ["会员编号", "姓名", "性别", "身份证号", "手机号", "工作单位", "职工类别",
                 "是否外地来京务工", "所属工会", "入会日期", "入会方式", "会籍状态"]
SUMMARY = re.compile(r"^imported (\d+), already members (\d+), refused (\d+) of (\d+) rows$")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def expected(name):
    """{row: "accept" | "refuse:REASON"} from the .expected file."""
    out = {}
    with open(os.path.join(DATA, name + ".expected"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                row, outcome = line.split()
                out[int(row)] = outcome
    return out


def sample_rows(name):
    """The data rows of a sample file as dicts, decoded independently."""
    enc = SAMPLES[name][1]
    with open(os.path.join(DATA, name), encoding=enc, newline="") as f:
        return list(csv.DictReader(f))


def read_report(path):
    """The refused rows of a --report file: {row: (reason, message, name)}."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw.startswith(b"\xef\xbb\xbf"), "the report starts with a BOM for Excel"
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    assert rows[0] == ["行号", "原因代码", "说明", "姓名"], rows[0]
    return {int(r[0]): (r[1], r[2], r[3]) for r in rows[1:]}


def read_xlsx(path):
    """(sheet name, [[cell text, …], …], sheet XML, styles XML) of a workbook,
    with shared or inline strings."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        sheet_name = wb.find("m:sheets/m:sheet", NS).get("name")
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        styles = z.read("xl/styles.xml").decode("utf-8")
    rows = []
    for row in ET.fromstring(sheet_xml).findall("m:sheetData/m:row", NS):
        cells = {}
        for c in row.findall("m:c", NS):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            idx = 0
            for ch in col:
                idx = idx * 26 + ord(ch) - 64
            kind = c.get("t")
            if kind == "s":
                text = shared[int(c.find("m:v", NS).text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter("{%s}t" % NS["m"]))
            else:
                v = c.find("m:v", NS)
                text = v.text if v is not None else ""
            cells[idx - 1] = text
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, "") for i in range(max(width, len(EXPORT_HEADER)))])
    return sheet_name, rows, sheet_xml, styles


def mask(idn):
    return idn[:6] + "********" + idn[-4:]


def roster_bytes(rows, header=HEADER, encoding="utf-8-sig", newline="\r\n"):
    """A roster as Excel writes it: rows are lists (or dicts by header)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator=newline)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)
    return out.getvalue().encode(encoding)


class RosterTest(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.results = {}
        for name, (org, _) in SAMPLES.items():
            cls.results[name] = cls.import_file(cls, os.path.join(DATA, name), org,
                                                "report-" + name)

    def import_file(self, path, org, report=None):
        """Runs import members; returns (process, report rows or None)."""
        args = ["import", "members", path, "--org", org]
        rep = None
        if report:
            rep = os.path.join(self.s.dir, report)
            args += ["--report", rep]
        r = self.s.cli(*args)
        return r, (read_report(rep) if rep and r.returncode == 0 else None)

    def write(self, name, data):
        path = os.path.join(self.s.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def summary(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        m = SUMMARY.match(r.stdout.strip())
        self.assertTrue(m, r.stdout)
        return tuple(int(x) for x in m.groups())

    def members(self, org, q=None):
        path = "/api/v1/members?limit=1000&org=" + org
        if q:
            path += "&q=" + urllib.parse.quote(q)
        r = self.s.request("GET", path, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        return r

    # ---- the samples -------------------------------------------------------

    def check_sample(self, name):
        org = SAMPLES[name][0]
        r, report = self.results[name]
        exp = expected(name)
        accepts = sum(1 for v in exp.values() if v == "accept")
        self.assertEqual(self.summary(r), (accepts, 0, len(exp) - accepts, len(exp)))
        # Row by row: every refusal expected, with its reason; every accept
        # absent from the report.
        for row, outcome in sorted(exp.items()):
            if outcome == "accept":
                self.assertNotIn(row, report, "row %d should be accepted" % row)
            else:
                self.assertIn(row, report, "row %d should be refused" % row)
                self.assertEqual(report[row][0], outcome.split(":", 1)[1], "row %d" % row)
                self.assertTrue(report[row][1], "row %d has a message" % row)
        self.assertEqual(set(report), {k for k, v in exp.items() if v != "accept"})
        # The refused rows carry their (trimmed) name.
        rows = sample_rows(name)
        for row, (reason, message, who) in report.items():
            self.assertEqual(who, rows[row - 1]["姓名"].strip(), row)
            if reason == "id_mangled_by_excel":
                self.assertIn("文本", message)
            if reason == "duplicate_in_file":
                self.assertIn("第1行", message)
        # The accepted people are members of the org, as written (keyed by
        # the masked ID number: names repeat).
        got = {m["id_number"]: m for m in self.members(org).json["items"]}
        self.assertEqual(len(got), accepts)
        for row, outcome in exp.items():
            if outcome != "accept":
                continue
            src = rows[row - 1]
            idn = src["身份证号"].strip().upper()
            m = got[mask(idn)]
            self.assertEqual(m["name"], src["姓名"].strip(), row)
            self.assertEqual(m["phone"], src["手机号"][:3] + "****" + src["手机号"][-4:])
            self.assertEqual((m["channel"], m["status"], m["org"], m["category"]),
                             ("import", "active", org, "other"))
            self.assertEqual(m["migrant"], src["是否外地来京务工"] == "是")
            self.assertEqual(m["gender"], "M" if int(idn[16]) % 2 else "F")
        return {m["name"]: m for m in got.values()}

    def test_gbk_sample_row_by_row(self):
        got = self.check_sample("roster-sample-gbk.csv")
        # An address holding a comma inside quotes did not shift the columns.
        self.assertTrue(got["徐敏"]["migrant"])
        self.assertEqual(got["徐敏"]["employer_name"], "鼓楼街道总工会")

    def test_utf8_bom_sample_row_by_row(self):
        got = self.check_sample("roster-sample-utf8bom.csv")
        # The lowercase x check digit is stored as X; stray spaces trimmed.
        self.assertTrue(got["王丽"]["id_number"].endswith("015X"))
        self.assertIn("黄勇", got)

    def test_reimport_changes_nothing(self):
        for name, (org, _) in SAMPLES.items():
            exp = expected(name)
            accepts = sum(1 for v in exp.values() if v == "accept")
            before = self.s.snapshot()
            r, report = self.import_file(os.path.join(DATA, name), org, "again-" + name)
            self.assertEqual(self.summary(r), (0, accepts, len(exp) - accepts, len(exp)))
            self.assertEqual(report, self.results[name][1])
            self.assertUnchanged(before)
            # Into another org as well: the people are members already.
            r, _ = self.import_file(os.path.join(DATA, name), "110118003")
            self.assertEqual(self.summary(r)[:2], (0, accepts))
            self.assertUnchanged(before)

    def test_members_are_masked_in_the_api_and_audited(self):
        r = self.members("110118001", "徐敏")
        (m,) = r.json["items"]
        self.assertEqual(m["id_number"], "110118********0008")
        self.assertNotIn("110118198001240008", r.text)
        self.assertNotIn("13900700000", r.text)
        self.assertRegex(m["member_no"], r"^\d{12}$")
        rows = self.s.query("SELECT login, object_id, detail FROM audit_log WHERE action = "
                            "'member.import' ORDER BY id")
        details = [d for (_, _, d) in rows]
        self.assertTrue(any('"file":"roster-sample-gbk.csv"' in d and '"imported":45' in d
                            for d in details), details)
        self.assertTrue(all(login == "cli" for (login, _, _) in rows))
        dump = self.s.raw_dump()
        self.assertNotIn(b"110118198001240008", dump)
        self.assertNotIn(b"13900700000", dump)

    # ---- columns, categories, batches ---------------------------------------

    def test_columns_by_name_categories_and_cleaning(self):
        header = ["备注", "手机号", "职工类别", "姓名", "身份证号", "是否外地来京务工"]
        rows = [
            ["多余的列", "139 0001 0001", "快递员", "\u3000赵一\u3000", person(20001), "是"],
            ["", "13900010002", "food_delivery", "钱二", person(20002).lower(), "否"],
            ["", "13900010003", "", "孙三", person(20003), ""],
            ["", "13900010004", "飞行员", "李四", person(20004), ""],
            ["", "1390001000", "快递员", "周五", person(20005), ""],
            ["", "", "", "", "", ""],
            ["", "13900010006", "保安员", "吴六", id_number(6, born="20990101"), ""],
            ["", "13900010007", "保安员", "郑七", person(20007)[:-1], ""],
            ["", "13900010008", "保安员", "王八", "1.10118E+17", ""],
            ["", "13900010009", "保安员", "冯九", "", ""],
            ["", "123", "", '=HYPERLINK("http://x")', person(20010), ""],
        ]
        text = "工会会员登记表\r\n" + roster_bytes(rows, header, "utf-8").decode()
        path = self.write("columns.csv", text.encode("utf-8"))
        r, report = self.import_file(path, "110118100", "columns-report.csv")
        self.assertEqual(self.summary(r), (3, 0, 7, 10))
        self.assertEqual({k: v[0] for k, v in report.items()},
                         {4: "invalid_category", 5: "invalid_phone", 7: "id_date",
                          8: "id_length", 9: "id_mangled_by_excel", 10: "id_missing",
                          11: "invalid_phone"})
        # A name Excel would run as a formula stays text in the report.
        self.assertEqual(report[11][2], '\'=HYPERLINK("http://x")')
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.s.dir, "columns-report.csv"))
                                      .st_mode), 0o600)
        got = {m["name"]: m for m in self.members("110118100").json["items"]}
        self.assertEqual(set(got), {"赵一", "钱二", "孙三"})
        self.assertEqual([got[n]["category"] for n in ("赵一", "钱二", "孙三")],
                         ["courier", "food_delivery", "other"])
        self.assertEqual([got[n]["migrant"] for n in ("赵一", "钱二", "孙三")],
                         [True, False, False])
        self.assertEqual(got["赵一"]["phone"], "139****0001")

    def test_quoted_newlines_and_lf_only(self):
        rows = [{"姓名": "陈一", "身份证号": person(20101), "手机号": phone(20101),
                 "现居住地": "密云区\n果园街道 \"东\" 1号, 2单元"},
                {"姓名": "陈二", "身份证号": person(20102), "手机号": phone(20102)}]
        path = self.write("newlines.csv", roster_bytes(rows, newline="\n"))
        r, report = self.import_file(path, "110118101", "newlines-report.csv")
        self.assertEqual(self.summary(r), (2, 0, 0, 2))
        self.assertEqual(report, {})

    def test_one_audit_entry_per_batch(self):
        rows = [{"姓名": "批量%d" % i, "身份证号": person(30000 + i), "手机号": phone(30000 + i)}
                for i in range(2500)]
        path = self.write("batches.csv", roster_bytes(rows, encoding="gbk"))
        for bad in ("0", "x", "100001"):
            r = self.s.cli("import", "members", path, "--org", "110118102", "--batch", bad)
            self.assertEqual(r.returncode, 2, bad)
        r = self.s.cli("import", "members", path, "--org", "110118102", "--batch", "1000")
        self.assertEqual(self.summary(r), (2500, 0, 0, 2500))
        rows = self.s.query("SELECT detail FROM audit_log WHERE action = 'member.import' "
                            "AND detail LIKE '%batches.csv%' ORDER BY id")
        self.assertEqual(len(rows), 3)
        for (d,), n in zip(rows, (1000, 1000, 500)):
            self.assertIn('"imported":%d' % n, d)
        n = self.s.query("SELECT count(*) FROM members m JOIN orgs o ON o.id = m.org_id "
                         "WHERE o.code = '110118102' AND m.channel = 'import'")[0][0]
        self.assertEqual(n, 2500)

    # ---- bad input ------------------------------------------------------------

    def test_bad_files_and_arguments_change_nothing(self):
        good = roster_bytes([{"姓名": "坏一", "身份证号": person(20201), "手机号": phone(20201)}])
        rnd = random.Random(7)
        cases = {
            "wrong-header.csv": "name,id,phone\r\n张三,%s,%s\r\n" % (person(20202), phone(20202)),
            "no-phone-column.csv": "姓名,身份证号\r\n张三,%s\r\n" % person(20203),
            "garbage.bin": bytes(rnd.randrange(256) for _ in range(4096)),
            "not-gbk.csv": "姓名,身份证号,手机号\r\n".encode() + b"\xff\xfe\xff\r\n",
            "utf16.csv": "姓名,身份证号,手机号\r\n".encode("utf-16"),
            "empty.csv": b"",
            "open-quote.csv": good + ('"张三,%s,%s\r\n' % (person(20204), phone(20204))).encode(),
        }
        before = self.s.snapshot()
        rep = os.path.join(self.s.dir, "bad-report.csv")
        for name, data in cases.items():
            path = self.write(name, data if isinstance(data, bytes) else data.encode("utf-8"))
            r = self.s.cli("import", "members", path, "--org", "110118103", "--report", rep)
            self.assertNotEqual(r.returncode, 0, name)
            self.assertEqual(r.stdout, "", name)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (name, r.stderr))
            self.assertTrue(r.stderr.startswith("unionbridge: "), r.stderr)
            self.assertFalse(os.path.exists(rep), name)
            self.assertUnchanged(before)
        self.assertIn("missing_column", self.s.cli("import", "members",
                      os.path.join(self.s.dir, "no-phone-column.csv"), "--org", "110118103").stderr)
        # A workbook given instead of its CSV.
        xlsx = os.path.join(self.s.dir, "book.xlsx")
        self.assertEqual(self.s.cli("export", "members", "--org", "110118001", "--out",
                                    xlsx).returncode, 0)
        before = self.s.snapshot()
        ok = self.write("ok.csv", good)
        for args in (["import", "members", xlsx, "--org", "110118103"],
                     ["import", "members", os.path.join(self.s.dir, "missing.csv"),
                      "--org", "110118103"],
                     ["import", "members", ok, "--org", "nope"],
                     ["import", "members", ok],
                     ["import", "members", ok, "--org", "110118103", "--bogus"],
                     ["import", "members", ok, "--org", "110118103", "--report",
                      "/nonexistent/dir/r.csv"],
                     ["export", "members", "--org", "nope", "--out", "x.xlsx"],
                     ["export", "members", "--org", "110118001", "--out", "x.csv"],
                     ["export", "members", "--org", "110118001", "--out",
                      "/nonexistent/dir/x.xlsx"],
                     ["export", "members", "--org", "110118001"]):
            r = self.s.cli(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (args, r.stderr))
            self.assertUnchanged(before)
        r = self.s.cli("import", "members", xlsx, "--org", "110118103")
        self.assertIn("not_csv", r.stderr)
        self.assertIn("org_not_found", self.s.cli("import", "members", ok, "--org", "nope").stderr)
        for cmd in (["import", "members"], ["export", "members"]):
            r = self.s.cli(*cmd, "--help")
            self.assertEqual(r.returncode, 0)
            self.assertIn("usage: unionbridge " + " ".join(cmd), r.stdout)

    # ---- export -------------------------------------------------------------

    def test_export_masked_round_trip(self):
        out = os.path.join(self.s.dir, "gulou.xlsx")
        r = self.s.cli("export", "members", "--org", "110118001", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "exported 45 members to %s" % out)
        sheet, rows, xml, styles = read_xlsx(out)
        self.assertEqual(sheet, "会员名册")
        self.assertEqual(rows[0], EXPORT_HEADER)
        self.assertIn('state="frozen"', xml)
        self.assertIn("<col ", xml)
        self.assertIn("<b/>", styles)
        data = rows[1:]
        self.assertEqual(len(data), 45)
        name = "roster-sample-gbk.csv"
        rows_in = sample_rows(name)
        src = {mask(rows_in[row - 1]["身份证号"].strip().upper()): rows_in[row - 1]
               for row, v in expected(name).items() if v == "accept"}
        self.assertEqual(sorted(d[3] for d in data), sorted(src))
        members = {m["id_number"]: m for m in self.members("110118001").json["items"]}
        for d in data:
            s = src[d[3]]
            idn = s["身份证号"].strip().upper()
            self.assertEqual(d[0], members[d[3]]["member_no"])
            self.assertEqual(d[1], s["姓名"].strip())
            self.assertEqual(d[2], "男" if int(idn[16]) % 2 else "女")
            self.assertEqual(d[4], s["手机号"][:3] + "****" + s["手机号"][-4:])
            self.assertEqual(d[5:9], ["鼓楼街道总工会", "其他",
                                      "是" if s["是否外地来京务工"] == "是" else "否",
                                      "鼓楼街道总工会"])
            self.assertRegex(d[9], r"^\d{4}-\d{2}-\d{2}$")
            self.assertEqual(d[10:], ["名册导入", "正常"])
            self.assertNotIn(idn, xml)
            self.assertNotIn(s["手机号"], xml)
        # The district's subtree holds both towns' members.
        out2 = os.path.join(self.s.dir, "district.xlsx")
        self.assertEqual(self.s.cli("export", "members", "--org", "110118", "--out",
                                    out2).returncode, 0)
        orgs = {d[8] for d in read_xlsx(out2)[1][1:]}
        self.assertTrue({"鼓楼街道总工会", "果园街道总工会"} <= orgs, orgs)

    def test_export_reveal_is_audited(self):
        before = self.s.count("audit_log")
        out = os.path.join(self.s.dir, "guoyuan.xlsx")
        r = self.s.cli("export", "members", "--org", "110118002", "--out", out, "--reveal")
        self.assertEqual(r.returncode, 0, r.stderr)
        data = read_xlsx(out)[1][1:]
        name = "roster-sample-utf8bom.csv"
        rows = sample_rows(name)
        want = {(rows[row - 1]["身份证号"].strip().upper(), rows[row - 1]["手机号"])
                for row, v in expected(name).items() if v == "accept"}
        self.assertEqual({(d[3], d[4]) for d in data}, want)
        (entry,) = self.s.query("SELECT action, login, object_id, detail FROM audit_log "
                                "WHERE id > (SELECT max(id) - 1 FROM audit_log)")
        self.assertEqual(entry[:3], ("member.export_reveal", "cli", "110118002"))
        self.assertIn('"members":30', entry[3])
        self.assertEqual(self.s.count("audit_log"), before + 1)
        self.assertFalse(os.path.exists(out + ".partial"))
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)


if __name__ == "__main__":
    main()
