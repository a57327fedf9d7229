"""The organisation tree over the API."""
from harness import ServerTest, main

TOWNS = ["鼓楼街道", "果园街道", "密云镇", "古北口镇", "十里堡镇", "大城子镇", "穆家峪镇",
         "东邵渠镇", "不老屯镇", "冯家峪镇", "北庄镇", "溪翁庄镇", "河南寨镇", "经济开发区"]


class OrgsTest(ServerTest):

    def create(self, code, name, level, parent, token=None):
        return self.s.request("POST", "/api/v1/orgs",
                              {"code": code, "name": name, "level": level, "parent": parent},
                              token=token or self.s.admin)

    def test_demo_tree(self):
        r = self.s.request("GET", "/api/v1/orgs", token=self.s.admin)
        self.assertEqual([o["code"] for o in r.json["items"]], ["110000"])
        r = self.s.request("GET", "/api/v1/orgs?parent=110000", token=self.s.admin)
        self.assertEqual([o["name"] for o in r.json["items"]], ["密云区总工会"])
        r = self.s.request("GET", "/api/v1/orgs?parent=110118", token=self.s.admin)
        demo = [o for o in r.json["items"] if o["code"].startswith("110118")]
        names = " ".join(o["name"] for o in demo)
        for t in TOWNS:
            self.assertIn(t, names)
        self.assertEqual(len(demo), 21)
        self.assertTrue(all(o["level"] == "town" for o in demo))

    def test_get_one_with_ancestors(self):
        r = self.s.request("GET", "/api/v1/orgs/110118100", token=self.s.admin)
        self.assertEqual(r.status, 200)
        o = r.json
        self.assertEqual(o["name"], "密云镇总工会")
        self.assertEqual(o["parent"], "110118")
        self.assertEqual([a["code"] for a in o["ancestors"]], ["110000", "110118", "110118100"])
        self.assertEqual(o["depth"], 2)

    def test_create_and_read_back(self):
        self.assertTrue(self.s.admin)
        before = self.s.query("SELECT max(id) FROM audit_log")[0][0]
        r = self.create("t.create1", "测试镇总工会", "town", "110118")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["code"], "t.create1")
        r = self.create("t.create1.u", "某公司工会", "union", "t.create1")
        self.assertEqual(r.status, 201, r)
        g = self.s.request("GET", "/api/v1/orgs/t.create1", token=self.s.admin).json
        self.assertEqual(g["children"], 1)
        self.assertEqual(g["subtree_size"], 2)
        rows = self.s.query("SELECT action, object_id, login FROM audit_log WHERE id > ? "
                            "ORDER BY id", before)
        self.assertEqual([x[0] for x in rows], ["org.create", "org.create"])
        self.assertEqual([x[1] for x in rows], ["t.create1", "t.create1.u"])
        self.assertEqual({x[2] for x in rows}, {"admin"})

    def test_duplicate_code_is_409_and_changes_nothing(self):
        self.assertEqual(self.create("t.dup", "甲", "town", "110118").status, 201)
        before = self.s.snapshot()
        self.assertError(self.create("t.dup", "乙", "town", "110118"), 409, "org_code_taken")
        self.assertUnchanged(before)

    def test_validation(self):
        cases = [
            ({"code": "", "name": "x", "level": "town", "parent": "110118"}, "missing_field"),
            ({"name": "x", "level": "town", "parent": "110118"}, "missing_field"),
            ({"code": "bad code", "name": "x", "level": "town", "parent": "110118"}, "invalid_code"),
            ({"code": "a/b", "name": "x", "level": "town", "parent": "110118"}, "invalid_code"),
            ({"code": "x" * 33, "name": "x", "level": "town", "parent": "110118"}, "invalid_code"),
            ({"code": "t.v1", "name": "", "level": "town", "parent": "110118"}, "missing_field"),
            ({"code": "t.v1", "name": "   ", "level": "town", "parent": "110118"}, "missing_field"),
            ({"code": "t.v1", "name": "名" * 101, "level": "town", "parent": "110118"}, "too_long"),
            ({"code": "t.v1", "name": "a\u0001b", "level": "town", "parent": "110118"}, "invalid_text"),
            ({"code": "t.v1", "name": "x", "level": "village", "parent": "110118"}, "invalid_level"),
            ({"code": "t.v1", "name": "x", "level": "district", "parent": "110118001"}, "invalid_level"),
            ({"code": "t.v1", "name": "x", "level": "town", "parent": "110118"[:3]}, "parent_not_found"),
            ({"code": "t.v1", "name": "x", "level": "union", "parent": "110118400.U1"}, "invalid_level"),
        ]
        for body, code in cases:
            before = self.s.snapshot()
            r = self.s.request("POST", "/api/v1/orgs", body, token=self.s.admin)
            self.assertError(r, 422, code)
            self.assertUnchanged(before)
        for body in [{"code": 1, "name": "x", "level": "town", "parent": "110118"},
                     {"code": "t.v2", "name": ["x"], "level": "town", "parent": "110118"},
                     {"code": "t.v2", "name": "x", "level": "town", "parent": "110118", "extra": 1}]:
            before = self.s.snapshot()
            self.assertError(self.s.request("POST", "/api/v1/orgs", body, token=self.s.admin), 400)
            self.assertUnchanged(before)

    def test_rename(self):
        self.assertEqual(self.create("t.ren", "旧名", "town", "110118").status, 201)
        r = self.s.request("PATCH", "/api/v1/orgs/t.ren", {"name": "新名"}, token=self.s.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "新名")
        self.assertEqual(self.s.request("GET", "/api/v1/orgs/t.ren", token=self.s.admin)
                         .json["name"], "新名")
        before = self.s.snapshot()
        self.assertError(self.s.request("PATCH", "/api/v1/orgs/t.ren", {"name": ""},
                                        token=self.s.admin), 422)
        self.assertError(self.s.request("PATCH", "/api/v1/orgs/t.ren", {"code": "x"},
                                        token=self.s.admin), 400, "unknown_field")
        self.assertError(self.s.request("PATCH", "/api/v1/orgs/nope", {"name": "x"},
                                        token=self.s.admin), 404)
        self.assertUnchanged(before)

    def test_unknown_org_is_404(self):
        self.assertError(self.s.request("GET", "/api/v1/orgs/nope", token=self.s.admin), 404,
                         "org_not_found")
        self.assertError(self.s.request("GET", "/api/v1/orgs?parent=nope", token=self.s.admin),
                         404, "org_not_found")

    def test_search(self):
        r = self.s.request("GET", "/api/v1/orgs?parent=110118&q=%E9%95%87", token=self.s.admin)
        self.assertEqual(r.status, 200)
        self.assertTrue(all("镇" in o["name"] or "镇" in o["code"] for o in r.json["items"]))
        self.assertGreater(len(r.json["items"]), 10)
        r = self.s.request("GET", "/api/v1/orgs?q=%25", token=self.s.admin)
        self.assertEqual(r.json["items"], [], "a % in the query is a literal")
        self.assertError(self.s.request("GET", "/api/v1/orgs?q=x&limit=0", token=self.s.admin),
                         400, "bad_query")

    def test_root_creation(self):
        fed = self.s.user("root.fed", "federation", "110118")
        self.assertError(self.s.request("POST", "/api/v1/orgs",
                                        {"code": "t.root2", "name": "另一个市", "level": "city"},
                                        token=fed), 403, "forbidden")
        r = self.s.request("POST", "/api/v1/orgs",
                           {"code": "t.root", "name": "天津市总工会", "level": "city"},
                           token=self.s.admin)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json["parent"])


if __name__ == "__main__":
    main()
