"""Employers over the API: USCC validation, override, scoping, paging."""
import json

from harness import ServerTest, main, uscc


def bad_check(code):
    """The same code with a wrong check character."""
    last = code[-1]
    return code[:-1] + ("0" if last != "0" else "1")


class EmployersTest(ServerTest):

    def create(self, **kw):
        body = {"name": "测试公司", "headcount": 10, "org": "110118100"}
        body.update(kw)
        return self.s.request("POST", "/api/v1/employers", body, token=self.s.admin)

    def test_published_vectors(self):
        r = self.create(name="上海某公司", uscc="91310110666007217T")
        self.assertEqual(r.status, 201, r)
        r = self.create(name="北京某公司", uscc="91110000ma01a7rh2r")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["uscc"], "91110000MA01A7RH2R", "stored upper case")

    def test_create_read_update(self):
        code = uscc(1001)
        r = self.create(name="北京某物流有限公司", uscc=code, headcount=120,
                        address="北京市密云区", legal_rep="张某")
        self.assertEqual(r.status, 201, r)
        e = r.json
        self.assertEqual((e["uscc"], e["headcount"], e["org"], e["union_status"]),
                         (code, 120, "110118100", "none"))
        g = self.s.request("GET", "/api/v1/employers/%d" % e["id"], token=self.s.admin)
        self.assertEqual(g.json, e)
        u = self.s.request("PATCH", "/api/v1/employers/%d" % e["id"], {"headcount": 130},
                           token=self.s.admin)
        self.assertEqual(u.status, 200, u)
        self.assertEqual(u.json["headcount"], 130)
        self.assertEqual(u.json["uscc"], code)
        (detail,) = self.s.query("SELECT detail FROM audit_log WHERE action='employer.update' "
                                 "AND object_id=? ORDER BY id DESC LIMIT 1", str(e["id"]))[0]
        d = json.loads(detail)
        self.assertEqual((d["before"]["headcount"], d["after"]["headcount"]), (120, 130))

    def test_uscc_refusals_change_nothing(self):
        good = uscc(2002)
        cases = [
            (bad_check(good), 422, "uscc_checksum"),
            ("91310110666007217X", 422, "uscc_checksum"),
            (good[:-1], 422, "uscc_length"),
            (good + "1", 422, "uscc_length"),
            ("9131011066600721IT", 422, "uscc_chars"),
            ("91310110666007O17T", 422, "uscc_chars"),
        ]
        for code, status, err in cases:
            before = self.s.snapshot()
            self.assertError(self.create(uscc=code), status, err)
            self.assertUnchanged(before)

    def test_override_with_reason_is_accepted_and_audited(self):
        code = bad_check(uscc(3003))
        r = self.create(name="早期登记企业", uscc=code, uscc_override="营业执照原件核对无误")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["uscc_override"], "营业执照原件核对无误")
        (detail,) = self.s.query("SELECT detail FROM audit_log WHERE action='employer.create' "
                                 "AND object_id=?", str(r.json["id"]))[0]
        self.assertEqual(json.loads(detail)["uscc_override"], "营业执照原件核对无误")
        # An override cannot excuse a code that is not a code at all.
        self.assertError(self.create(uscc="ABC", uscc_override="理由"), 422, "uscc_length")

    def test_duplicate_uscc_is_409(self):
        code = uscc(4004)
        self.assertEqual(self.create(uscc=code).status, 201)
        before = self.s.snapshot()
        self.assertError(self.create(name="另一家", uscc=code), 409, "uscc_taken")
        self.assertUnchanged(before)
        other = self.create(name="第三家", uscc=uscc(4005)).json["id"]
        self.assertError(self.s.request("PATCH", "/api/v1/employers/%d" % other,
                                        {"uscc": code}, token=self.s.admin), 409, "uscc_taken")

    def test_field_validation(self):
        cases = [
            ({"name": ""}, 422, "missing_field"),
            ({"name": "x" * 101}, 422, "too_long"),
            ({"headcount": -1}, 422, "invalid_headcount"),
            ({"headcount": 10 ** 8}, 422, "invalid_headcount"),
            ({"headcount": "10"}, 400, "bad_type"),
            ({"headcount": 1.5}, 400, "bad_type"),
            ({"org": "nope"}, 422, "org_not_found"),
            ({"org": None}, 422, "missing_field"),
            ({"color": "red"}, 400, "unknown_field"),
        ]
        for kw, status, code in cases:
            before = self.s.snapshot()
            self.assertError(self.create(**kw), status, code)
            self.assertUnchanged(before)

    def test_unknown_employer(self):
        for path in ["/api/v1/employers/999999", "/api/v1/employers/abc",
                     "/api/v1/employers/-1", "/api/v1/employers/0"]:
            self.assertError(self.s.request("GET", path, token=self.s.admin), 404)
        self.assertError(self.s.request("PATCH", "/api/v1/employers/999999", {"headcount": 1},
                                        token=self.s.admin), 404)

    def test_org_cannot_be_changed_by_patch(self):
        e = self.create(name="搬家公司").json["id"]
        before = self.s.snapshot()
        self.assertError(self.s.request("PATCH", "/api/v1/employers/%d" % e,
                                        {"org": "110118001"}, token=self.s.admin),
                         422, "immutable_field")
        self.assertUnchanged(before)

    def test_list_subtree_search_and_paging(self):
        for i in range(7):
            self.assertEqual(self.create(name="分页公司%d" % i, org="110118111").status, 201)
        r = self.s.request("GET", "/api/v1/employers?org=110118111&q=%E5%88%86%E9%A1%B5&limit=3",
                           token=self.s.admin)
        page1 = r.json
        self.assertEqual(len(page1["items"]), 3)
        seen = [e["name"] for e in page1["items"]]
        after = page1["next_after"]
        while after:
            r = self.s.request("GET", "/api/v1/employers?org=110118111&q=%%E5%%88%%86%%E9%%A1"
                               "%%B5&limit=3&after=%d" % after, token=self.s.admin).json
            seen += [e["name"] for e in r["items"]]
            after = r.get("next_after")
        self.assertEqual(sorted(seen), ["分页公司%d" % i for i in range(7)])
        # The district sees its towns' employers; a town sees only its own.
        d = self.s.request("GET", "/api/v1/employers?org=110118&limit=1000",
                           token=self.s.admin).json["items"]
        self.assertTrue({"110118111", "110118100"} <= {e["org"] for e in d})
        for bad in ["limit=0", "limit=1001", "limit=x", "after=-1"]:
            self.assertError(self.s.request("GET", "/api/v1/employers?" + bad,
                                            token=self.s.admin), 400, "bad_query")


if __name__ == "__main__":
    main()
