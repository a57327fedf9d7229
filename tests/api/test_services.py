"""Member services, black-box: mutual-aid cards, secondary reimbursement
claims and giveaways, every rule and refusal; a giveaway claim storm over
two serve processes with a kill -9 in the middle, counted exactly."""
import datetime
import os
import re
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from harness import STAFF_PW, WRAP, ServerTest, luhn, main, server_today as today

CODE = re.compile(r"^[2-9A-HJ-NP-Z]{10}$")


def card_no(i):
    return luhn("62220202%010d" % i)


class Services(ServerTest):
    server_args = ("--join-rate", "0")
    next_person = 1000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        r = s.request("PATCH", "/api/v1/orgs/110118", {"auto_approve": True}, token=s.admin)
        assert r.status == 200, r
        r = s.request("PATCH", "/api/v1/orgs/110118002", {"auto_approve": True}, token=s.admin)
        assert r.status == 200, r
        cls.town = s.user("svc.town", "federation", "110118001")
        cls.town2 = s.user("svc.town2", "federation", "110118001")
        cls.union = s.user("svc.union", "union", "110118001")
        cls.viewer = s.user("svc.viewer", "viewer", "110118")
        cls.year = today().year

    def member(self, org="110118001"):
        """A new active member of org (auto-approved): (member_no, token)."""
        Services.next_person += 1
        tok = self.s.join_token(org)
        if org == "110118001":
            self.call("PATCH", "/api/v1/orgs/110118001", {"auto_approve": True},
                           token=self.s.admin)
        r = self.s.join(tok, Services.next_person)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], "approved", r)
        return r.json["member_no"], r.json["access_token"]

    def call(self, method, path, body=None, token=None):
        return self.s.request(method, path, body, token=token or self.s.admin)

    def refused(self, status, code, method, path, body=None, token=None):
        before = self.s.snapshot()
        r = self.s.request(method, path, body, token=token or self.s.admin)
        self.assertError(r, status, code)
        self.assertUnchanged(before)
        return r

    def event(self, org):
        self.s.query("INSERT INTO events (type, org_id, venue, starts_at, starts_on, created_at, "
                     "updated_at) VALUES ('worker_meeting', (SELECT id FROM orgs WHERE code = ?), "
                     "'广场', 0, '2025-05-27', 0, 0)", org)
        return self.s.query("SELECT max(id) FROM events")[0][0]

    def giveaway(self, stock=5, org="110118", opens="2020-01-01T00:00:00+08:00",
                 closes="2099-01-01T00:00:00+08:00", token=None):
        r = self.call("POST", "/api/v1/giveaways",
                           {"name": "新年礼包", "stock": stock, "org": org, "opens_at": opens,
                            "closes_at": closes}, token=token or self.s.admin)
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def claim(self, gid, tok, port=None):
        return self.s.request("POST", "/api/v1/giveaways/%d/claim" % gid, {}, token=tok,
                              port=port)


class CardTest(Services):

    def test_register_show_and_no_plaintext(self):
        no, tok = self.member()
        ev = self.event("110118001")
        number = card_no(1)
        r = self.call("POST", "/api/v1/cards", {"member_no": no, "card_no": number,
                                                     "event_id": ev}, token=self.union)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["last4"], number[-4:])
        self.assertEqual(r.json["card_no"], "**** **** **** " + number[-4:])
        self.assertEqual((r.json["status"], r.json["event_id"]), ("live", ev))
        r = self.call("GET", "/api/v1/members/%s/card" % no, token=self.viewer)
        self.assertEqual(r.json["card"]["last4"], number[-4:])
        self.assertNotIn(number.encode(), self.s.raw_dump())
        self.assertNotIn(number, r.text)
        r = self.call("GET", "/card", token=tok)
        self.assertIn("**** **** **** " + number[-4:], r.text)
        self.assertEqual(self.s.query("SELECT count(*) FROM audit_log WHERE action = "
                                      "'card.issue' AND object_id = ?",
                                      str(self.s.query("SELECT max(id) FROM cards")[0][0]))[0][0], 1)

    def test_refusals(self):
        no, _ = self.member()
        other, _ = self.member()
        self.assertEqual(self.call("POST", "/api/v1/cards",
                                        {"member_no": other, "card_no": card_no(20)},
                                        token=self.s.admin).status, 201)
        self.refused(422, "invalid_card_no", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(21)[:-1] + "x"})
        bad = card_no(21)
        bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)
        self.refused(422, "invalid_card_no", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": bad})
        self.refused(422, "invalid_card_no", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": "4111"})
        self.refused(409, "card_no_taken", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(20)})
        self.refused(422, "event_not_found", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(22), "event_id": 999999})
        self.refused(403, "forbidden", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(22),
                      "event_id": self.event("110118002")}, token=self.town)
        self.refused(404, "member_not_found", "POST", "/api/v1/cards",
                     {"member_no": "x", "card_no": card_no(22)})
        self.refused(403, "forbidden", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(22)}, token=self.viewer)
        self.refused(400, "bad_type", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(22), "event_id": "1"})
        self.refused(400, "unknown_field", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(22), "pin": "1"})
        r = self.call("POST", "/api/v1/cards", {"member_no": no, "card_no": card_no(22)})
        self.assertEqual(r.status, 201, r)
        self.refused(409, "card_exists", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(23)})
        # Not active: retained members get no new card.
        third, _ = self.member()
        self.call("POST", "/api/v1/members/%s/status" % third,
                       {"status": "retained", "reason": "退休"}, token=self.s.admin)
        self.refused(409, "member_not_active", "POST", "/api/v1/cards",
                     {"member_no": third, "card_no": card_no(24)})

    def test_lost_reissue_and_history(self):
        no, _ = self.member()
        self.refused(404, "no_live_card", "POST", "/api/v1/members/%s/card/lost" % no,
                     {"reason": "丢失"})
        self.call("POST", "/api/v1/cards", {"member_no": no, "card_no": card_no(30)})
        self.refused(422, None, "POST", "/api/v1/members/%s/card/reissue" % no,
                     {"card_no": card_no(31)})
        r = self.call("POST", "/api/v1/members/%s/card/reissue" % no,
                           {"card_no": card_no(31), "reason": "卡片损坏"}, token=self.union)
        self.assertEqual(r.status, 201, r)
        first = self.call("GET", "/api/v1/members/%s/card" % no, token=self.s.admin).json
        self.assertEqual(first["card"]["last4"], card_no(31)[-4:])
        self.assertEqual([c["status"] for c in first["history"]], ["live", "replaced"])
        self.assertEqual(first["history"][0]["replaces"], first["history"][1]["id"])
        r = self.call("POST", "/api/v1/members/%s/card/lost" % no, {"reason": "丢失"},
                           token=self.union)
        self.assertEqual(r.status, 200, r)
        r = self.call("GET", "/api/v1/members/%s/card" % no, token=self.s.admin).json
        self.assertIsNone(r["card"])
        self.assertEqual([c["status"] for c in r["history"]], ["lost", "replaced"])
        self.refused(409, "card_no_taken", "POST", "/api/v1/cards",
                     {"member_no": no, "card_no": card_no(31)})
        r = self.call("POST", "/api/v1/cards", {"member_no": no, "card_no": card_no(32)})
        self.assertEqual(r.status, 201, r)

    def test_counts_per_event_and_period(self):
        ev = self.event("110118003")
        self.call("PATCH", "/api/v1/orgs/110118003", {"auto_approve": True},
                       token=self.s.admin)
        for k in range(3):
            no, _ = self.member("110118003")
            r = self.call("POST", "/api/v1/cards",
                               {"member_no": no, "card_no": card_no(40 + k),
                                "event_id": ev if k < 2 else None})
            self.assertEqual(r.status, 201, r)
        day = today().isoformat()
        r = self.call("GET", "/api/v1/cards/counts?org=110118003&from=%s&to=%s"
                           % (day, day), token=self.viewer)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["cards_issued"], 3)
        self.assertEqual(r.json["by_event"], [{"event_id": ev, "cards": 2}])
        self.assertEqual(r.json["outside_events"], 1)
        r = self.call("GET", "/api/v1/cards/counts?org=110118003&from=2000-01-01"
                           "&to=2000-12-31", token=self.viewer)
        self.assertEqual(r.json["cards_issued"], 0)
        self.assertError(self.call("GET", "/api/v1/cards/counts?from=2025-13-01&to=x",
                                        token=self.viewer), 400, "bad_query")


class ClaimTest(Services):

    def carded(self):
        no, tok = self.member()
        Services.next_person += 1
        r = self.call("POST", "/api/v1/cards",
                           {"member_no": no, "card_no": card_no(1000 + Services.next_person)})
        self.assertEqual(r.status, 201, r)
        return no

    def claim(self, no, selfpay, kind="outpatient", year=None, token=None, **kw):
        body = {"member_no": no, "year": year or self.year, "kind": kind, "selfpay_fen": selfpay}
        body.update(kw)
        return self.call("POST", "/api/v1/claims", body, token=token or self.union)

    def test_demo_plan(self):
        r = self.call("GET", "/api/v1/claim-plans?year=%d" % self.year, token=self.viewer)
        got = {p["kind"]: (p["deductible_fen"], p["ratio_bp"], p["cap_fen"])
               for p in r.json["items"]}
        self.assertEqual(got, {"outpatient": (100000, 5000, 20000000),
                               "inpatient": (0, 6000, 20000000)})

    def test_payout_rules_deductible_ratio_rounding(self):
        no = self.carded()
        # 800 yuan: all under the 1,000-yuan deductible.
        r = self.claim(no, 80000)
        self.assertEqual((r.status, r.json["payout_fen"]), (201, 0), r)
        # 500 more: 200 left of the deductible, 50% of 300 yuan.
        self.assertEqual(self.claim(no, 50000).json["payout_fen"], 15000)
        # 50% of 333.33 yuan, rounded down to the fen.
        self.assertEqual(self.claim(no, 33333).json["payout_fen"], 16666)
        # Inpatient: 60%, no deductible; 123.47 yuan -> 74.082 -> 74.08.
        self.assertEqual(self.claim(no, 12347, "inpatient").json["payout_fen"], 7408)

    def test_cap_holds_across_claims_and_rejection_frees_it(self):
        r = self.call("POST", "/api/v1/claim-plans",
                           {"year": 2031, "kind": "outpatient", "deductible_fen": 0,
                            "ratio_bp": 10000, "cap_fen": 10000}, token=self.s.admin)
        self.assertEqual(r.status, 201, r)
        no = self.carded()
        first = self.claim(no, 6000, year=2031)
        self.assertEqual(first.json["payout_fen"], 6000)
        self.assertEqual(self.claim(no, 6000, year=2031).json["payout_fen"], 4000)
        self.assertEqual(self.claim(no, 6000, year=2031).json["payout_fen"], 0)
        r = self.call("POST", "/api/v1/claims/%d/reject" % first.json["id"],
                           {"reason": "材料不全"}, token=self.union)
        self.assertEqual((r.status, r.json["status"]), (200, "rejected"), r)
        self.assertEqual(self.claim(no, 9000, year=2031).json["payout_fen"], 6000)

    def test_refusals(self):
        no = self.carded()
        nocard, _ = self.member()
        self.refused(422, "invalid_kind", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "dental", "selfpay_fen": 1})
        self.refused(422, "invalid_amount", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "inpatient", "selfpay_fen": 0})
        self.refused(400, "bad_type", "POST", "/api/v1/claims",
                     {"member_no": no, "year": "今年", "kind": "inpatient", "selfpay_fen": 1})
        self.refused(422, "invalid_year", "POST", "/api/v1/claims",
                     {"member_no": no, "year": 1999, "kind": "inpatient", "selfpay_fen": 1})
        self.refused(422, "no_plan", "POST", "/api/v1/claims",
                     {"member_no": no, "year": 2077, "kind": "inpatient", "selfpay_fen": 1})
        self.refused(422, "invalid_date", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "inpatient", "selfpay_fen": 1,
                      "date": "%d-02-30" % self.year})
        self.refused(422, "invalid_date", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "inpatient", "selfpay_fen": 1,
                      "date": "%d-01-01" % (self.year - 1)})
        # Before joining: no active membership on the claim date.
        self.refused(422, "not_eligible", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year - 1, "kind": "inpatient",
                      "selfpay_fen": 1, "date": "%d-01-01" % (self.year - 1)})
        self.refused(422, "no_card", "POST", "/api/v1/claims",
                     {"member_no": nocard, "year": self.year, "kind": "inpatient",
                      "selfpay_fen": 100})
        self.refused(403, "forbidden", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "inpatient",
                      "selfpay_fen": 100}, token=self.viewer)
        self.call("POST", "/api/v1/members/%s/status" % no,
                       {"status": "retained", "reason": "失业"}, token=self.s.admin)
        self.refused(422, "not_eligible", "POST", "/api/v1/claims",
                     {"member_no": no, "year": self.year, "kind": "inpatient",
                      "selfpay_fen": 100})

    def test_plans_admin_only_and_unique(self):
        body = {"year": 2032, "kind": "inpatient", "deductible_fen": 0, "ratio_bp": 5000,
                "cap_fen": 100}
        self.refused(403, "forbidden", "POST", "/api/v1/claim-plans", body, token=self.town)
        self.refused(422, "invalid_ratio", "POST", "/api/v1/claim-plans",
                     dict(body, ratio_bp=10001))
        self.refused(422, "invalid_kind", "POST", "/api/v1/claim-plans", dict(body, kind="x"))
        self.assertEqual(self.call("POST", "/api/v1/claim-plans", body,
                                        token=self.s.admin).status, 201)
        self.refused(409, "plan_exists", "POST", "/api/v1/claim-plans", body)

    def test_flow_roles_masking_batch_and_export(self):
        no = self.carded()
        c = self.claim(no, 250000, "inpatient").json
        self.assertEqual((c["status"], c["payout_fen"]), ("submitted", 150000))
        cid = c["id"]
        path = "/api/v1/claims/%d/" % cid
        # Masked by default.
        r = self.call("GET", "/api/v1/claims/%d" % cid, token=self.viewer)
        self.assertEqual((r.json["selfpay"], r.json["payout"]), ("2***.**", "1***.**"))
        self.assertNotIn("payout_fen", r.json)
        self.assertNotIn(b"250000", r.body)
        self.refused(409, "invalid_transition", "POST", path + "approve", None, token=self.town)
        self.refused(403, "forbidden", "POST", path + "verify", None, token=self.viewer)
        self.assertEqual(self.call("POST", path + "verify", token=self.town).status, 200)
        self.refused(409, "same_person", "POST", path + "approve", None, token=self.town)
        self.refused(403, "forbidden", "POST", path + "approve", None, token=self.union)
        self.refused(403, "forbidden", "POST", path + "reject", {"reason": "x"},
                     token=self.union)
        r = self.call("POST", path + "approve", token=self.town2)
        self.assertEqual((r.status, r.json["status"]), (200, "approved"), r)
        self.refused(409, "invalid_transition", "POST", path + "verify", None)
        # The payment batch shows amounts to those who may, and is audited.
        before = self.s.count("audit_log")
        r = self.call("GET", "/api/v1/claims/payable?org=110118001", token=self.town)
        self.assertEqual(r.status, 200, r)
        mine = [x for x in r.json["items"] if x["id"] == cid]
        self.assertEqual(mine[0]["payout_fen"], 150000)
        self.assertEqual(r.json["payout_fen"], sum(x["payout_fen"] for x in r.json["items"]))
        self.assertEqual(self.s.count("audit_log"), before + 1)
        self.assertError(self.call("GET", "/api/v1/claims/payable?org=110118001",
                                        token=self.union), 403, "forbidden")
        r = self.call("GET", "/api/v1/claims/export.xlsx?org=110118001", token=self.town)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body[:2], b"PK")
        r = self.call("POST", path + "reveal", token=self.town)
        self.assertEqual((r.json["selfpay_fen"], r.json["payout_fen"]), (250000, 150000))
        self.refused(403, "forbidden", "POST", path + "reveal", None, token=self.union)
        self.refused(403, "forbidden", "POST", path + "pay", {}, token=self.union)
        r = self.call("POST", "/api/v1/claims/pay", {"ids": [cid, cid], "pay_ref": "B-1"},
                           token=self.town)
        self.assertEqual(r.json["paid"], [{"id": cid}])
        self.assertEqual([x["error"] for x in r.json["refused"]], ["invalid_transition"])
        r = self.call("GET", "/api/v1/claims/%d" % cid, token=self.viewer)
        self.assertEqual((r.json["status"], r.json["pay_ref"]), ("paid", "B-1"))
        self.refused(409, "invalid_transition", "POST", path + "reject", {"reason": "x"})
        actions = [a for (a,) in self.s.query("SELECT action FROM audit_log WHERE "
                                              "object_type = 'claim' AND object_id = ? "
                                              "ORDER BY id", str(cid))]
        self.assertEqual(actions, ["claim.submit", "claim.verify", "claim.approve",
                                   "claim.reveal", "claim.pay"])
        sealed = self.s.query("SELECT selfpay_enc, payout_enc FROM claims WHERE id = ?", cid)[0]
        for v in sealed:
            self.assertNotIn(b"250000", bytes(v) if not isinstance(v, str) else v.encode())


class GiveawayTest(Services):

    def test_create_refusals(self):
        body = {"name": "新年礼包", "stock": 5, "org": "110118",
                "opens_at": "2025-01-01T00:00:00+08:00", "closes_at": "2025-02-01T00:00:00Z"}
        self.refused(422, "invalid_stock", "POST", "/api/v1/giveaways", dict(body, stock=0))
        self.refused(422, "invalid_time", "POST", "/api/v1/giveaways",
                     dict(body, opens_at="2025-01-01 midnight"))
        self.refused(422, "invalid_time", "POST", "/api/v1/giveaways",
                     dict(body, closes_at="2024-12-31T00:00:00+08:00"))
        self.refused(422, "missing_field", "POST", "/api/v1/giveaways", dict(body, name=""))
        self.refused(403, "forbidden", "POST", "/api/v1/giveaways",
                     dict(body, org="110118001"), token=self.union)
        self.refused(403, "forbidden", "POST", "/api/v1/giveaways", body, token=self.town)

    def test_claim_every_answer(self):
        gid = self.giveaway(stock=1, org="110118001")
        no, tok = self.member()
        r = self.claim(gid, tok)
        self.assertEqual(r.status, 201, r)
        self.assertRegex(r.json["pickup_code"], CODE)
        self.assertError(self.claim(gid, tok), 409, "already_claimed")
        _, tok2 = self.member()
        self.assertError(self.claim(gid, tok2), 410, "sold_out")
        _, outside = self.member("110118002")
        self.assertError(self.claim(gid, outside), 403, "not_eligible")
        self.assertError(self.claim(gid, None), 401, "unauthenticated")
        self.assertError(self.claim(gid, "x" * 43), 401, "unauthenticated")
        # A member's token with a character more is not that member's.
        more = self.giveaway(stock=5, org="110118001")
        _, tok3 = self.member()
        self.assertError(self.claim(more, tok3 + "A"), 401, "unauthenticated")
        self.assertEqual(self.claim(more, tok3).status, 201)
        self.assertError(self.claim(999999, tok), 404, "giveaway_not_found")
        later = self.giveaway(opens="2098-01-01T00:00:00+08:00")
        self.assertError(self.claim(later, tok2), 422, "not_open")
        over = self.giveaway(opens="2020-01-01T00:00:00+08:00",
                             closes="2021-01-01T00:00:00+08:00")
        self.assertError(self.claim(over, tok2), 422, "not_open")
        # The member's own list.
        r = self.call("GET", "/api/v1/me/giveaways", token=tok)
        mine = [g for g in r.json["items"] if g["id"] == gid][0]
        self.assertEqual((mine["pickup_code"], mine["remaining"]),
                         (self.claim_code(gid, no), 0))
        r = self.call("GET", "/api/v1/giveaways/%d" % gid, token=self.union)
        self.assertEqual((r.json["claimed"], r.json["remaining"]), (1, 0))

    def claim_code(self, gid, no):
        return self.s.query("SELECT c.pickup_code FROM giveaway_claims c JOIN members m "
                            "ON m.id = c.member_id WHERE c.giveaway_id = ? AND m.member_no = ?",
                            gid, no)[0][0]

    def test_redeem(self):
        gid = self.giveaway(org="110118001")
        _, tok = self.member()
        code = self.claim(gid, tok).json["pickup_code"]
        path = "/api/v1/giveaways/%d/redeem" % gid
        self.refused(422, "invalid_pickup_code", "POST", path, {"pickup_code": "!!"})
        self.refused(404, "pickup_code_not_found", "POST", path, {"pickup_code": "2222222222"})
        self.refused(403, "forbidden", "POST", path, {"pickup_code": code}, token=self.viewer)
        spaced = " ".join([code[:5].lower(), code[5:]])
        r = self.call("POST", path, {"pickup_code": spaced}, token=self.union)
        self.assertEqual(r.status, 200, r)
        self.refused(409, "already_redeemed", "POST", path, {"pickup_code": code})
        self.assertEqual(self.call("GET", "/api/v1/giveaways/%d" % gid,
                                        token=self.union).json["redeemed"], 1)

    def test_member_page(self):
        gid = self.giveaway(org="110118001", stock=3)
        _, tok = self.member()
        r = self.s.request("GET", "/g/%d" % gid, headers={"Cookie": "ub_member=" + tok})
        self.assertEqual(r.status, 200, r)
        self.assertIn("剩余", r.text)
        self.assertLess(len(r.body), 8000)
        r = self.s.request("POST", "/g/%d" % gid, headers={"Cookie": "ub_member=" + tok})
        self.assertEqual(r.status, 303, r)
        r = self.s.request("GET", "/g/%d" % gid, headers={"Cookie": "ub_member=" + tok})
        self.assertIn("取货码", r.text)
        r = self.call("GET", "/g/%d" % gid)
        self.assertEqual(r.status, 401)


class StormTest(Services):
    """Many members claim at once through two serve processes on the same
    database; one process is killed with SIGKILL in the middle."""

    def members(self, n, first=200000):
        """n new members' personal tokens."""
        s = self.s
        s.request("PATCH", "/api/v1/orgs/110118100", {"auto_approve": True}, token=s.admin)
        tok = s.join_token("110118100")
        with ThreadPoolExecutor(16) as ex:
            joins = list(ex.map(lambda i: s.join(tok, first + i), range(n)))
        tokens = [r.json["access_token"] for r in joins if r.status == 201]
        self.assertEqual(len(tokens), n)
        return tokens

    def test_double_taps_one_claim_each(self):
        """Each member taps five times at once, through both processes (so
        that claims of one member meet in one batch, and in transactions
        of both processes): one claim and one audit entry each, the other
        taps 409."""
        n, taps = (30 if WRAP else 150), 5
        tokens = self.members(n, 300000)
        gid = self.giveaway(stock=n + 10, org="110118")
        ports = [self.s.port, self.s.start()]
        with ThreadPoolExecutor(48) as ex:
            answers = list(ex.map(lambda k: (tokens[k // taps],
                                             self.claim(gid, tokens[k // taps],
                                                        port=ports[k % 2])),
                                  range(taps * n)))
        by_member = {}
        for t, r in answers:
            by_member.setdefault(t, []).append(
                "201" if r.status == 201 else "%d %s" % (r.status, r.json["error"]["code"]))
        for t, got in by_member.items():
            self.assertEqual(sorted(got), ["201"] + ["409 already_claimed"] * (taps - 1))
        rows = self.s.query("SELECT count(*) AS claims, count(DISTINCT member_id) AS members "
                            "FROM giveaway_claims WHERE giveaway_id = ?", gid)
        self.assertEqual(rows[0], (n, n))
        audited = self.s.query("SELECT count(*) FROM audit_log WHERE action = 'giveaway.claim' "
                               "AND object_id = ?", str(gid))
        self.assertEqual(audited[0][0], n)

    def test_storm_exact_counts_across_processes_and_kill_9(self):
        n, stock = (300, 40) if WRAP else (2000, 100)
        s = self.s
        tokens = self.members(n)
        gid = self.giveaway(stock=stock, org="110118")
        second = s.start()
        ports = [s.port, second]
        results, lock = [], threading.Lock()
        killed = threading.Event()

        def one(k):
            t = tokens[k % n]
            port = ports[k % 2]
            try:
                r = self.claim(gid, t, port=port)
            except OSError:
                return
            with lock:
                results.append((t, r.status, r.json.get("pickup_code") if r.status == 201
                                else None))
                if len(results) == n // 3 and not killed.is_set():
                    killed.set()
                    s.proc.send_signal(signal.SIGKILL)

        with ThreadPoolExecutor(64) as ex:
            list(ex.map(one, range(n)))
        s.proc.wait()
        s.proc = None
        s.start()
        # Every member tries again, after the crash: only repeats and refusals.
        with ThreadPoolExecutor(64) as ex:
            again = list(ex.map(lambda t: (t, self.claim(gid, t, port=s.port)), tokens))
        wins = [(t, c) for t, st, c in results if st == 201]
        statuses = {st for _, st, _ in results} | {r.status for _, r in again}
        self.assertLessEqual(statuses, {201, 409, 410})
        rows = s.query("SELECT m.access_digest, c.pickup_code FROM giveaway_claims c "
                       "JOIN members m ON m.id = c.member_id WHERE c.giveaway_id = ?", gid)
        self.assertEqual(len(rows), stock, "exactly the stock is handed out")
        self.assertEqual(len({d for d, _ in rows}), stock, "none twice")
        self.assertEqual(len({c for _, c in rows}), stock, "codes distinct")
        acked = {c for _, c in wins} | {r.json["pickup_code"] for _, r in again
                                        if r.status == 201}
        self.assertLessEqual(acked, {c for _, c in rows}, "an acknowledged claim was lost")
        self.assertEqual(len(acked), len([1 for _ in wins]) + len([1 for _, r in again
                                                                    if r.status == 201]))
        taken = s.query("SELECT sum(taken) FROM giveaway_stock WHERE giveaway_id = ?", gid)
        self.assertEqual(int(taken[0][0]), stock)
        # Those who hold a claim hear 409, the others 410.
        holders = {t for t, _ in wins}
        for t, r in again:
            if t in holders:
                self.assertError(r, 409, "already_claimed")


class ServicesConsoleTest(Services):
    """Cards and claims through the console's forms, as a browser without
    scripts: a card handed out at an event, a claim entered, verified by
    one staff member and approved by another, then paid in a batch."""

    def test_card_claim_and_payment_batch_through_forms(self):
        s = self.s
        clerk = s.console("svc.town", STAFF_PW)
        s.user("svc.fed", "federation", "110118")
        boss = s.console("svc.fed", STAFF_PW)
        no, _ = self.member()
        ev = s.request("POST", "/api/v1/events",
                       {"type": "worker_meeting", "org": "110118001", "venue": "发卡点",
                        "starts_at": "%sT09:00:00+08:00" % today().isoformat()},
                       token=s.admin).json
        page = clerk.page("/console/members/" + no).text
        self.assertIn("尚无在用的互助服务卡", page)
        r = clerk.form("/console/members/%s/card" % no,
                       {"card_no": card_no(7001), "event_id": str(ev["id"])})
        self.assertEqual(r.status, 303, r)
        page = clerk.page("/console/members/" + no).text
        self.assertIn("尾号 <b class=\"mono\">%s</b>" % card_no(7001)[-4:], page)
        self.assertNotIn(card_no(7001), page)                      # the number stays hidden
        # The card is on the event's tally.
        self.assertEqual(s.request("GET", "/api/v1/events/%d" % ev["id"],
                                   token=s.admin).json["cards_issued"], 1)
        # A claim of 3,000.50 yuan outpatient: 50% above 1,000 yuan.
        r = clerk.form("/console/members/%s/claim" % no,
                       {"year": str(self.year), "kind": "outpatient",
                        "date": today().isoformat(), "selfpay_yuan": "3000.50"})
        self.assertEqual(r.status, 303, r)
        cid = int(r.header("Location").rsplit("=", 1)[1])
        self.assertEqual(s.request("POST", "/api/v1/claims/%d/reveal" % cid,
                                   token=s.admin).json["payout_fen"], 100025)
        for bad in ("", "12.345", "1e3", "-5", "abc"):
            before = s.snapshot()
            r = clerk.form("/console/members/%s/claim" % no,
                           {"year": str(self.year), "kind": "outpatient", "selfpay_yuan": bad})
            self.assertEqual(r.status, 422, bad)
            self.assertUnchanged(before)
        listing = clerk.page("/console/claims?status=submitted").text
        self.assertIn("/console/claims/%d/verify" % cid, listing)
        self.assertNotIn("3000.50", listing)
        self.assertEqual(clerk.form("/console/claims/%d/verify" % cid, {}).status, 303)
        # The verifier may not approve (though allowed to approve others'
        # claims); another federation member does.
        r = clerk.form("/console/claims/%d/approve" % cid, {})
        self.assertEqual(r.status, 409, r)
        self.assertIn("审核人与审批人不能是同一人", r.text)
        self.assertEqual(boss.form("/console/claims/%d/approve" % cid, {}).status, 303)
        r = boss.form("/console/claims/pay", {"ids": [str(cid)], "pay_ref": "PAY-2026-01"})
        self.assertEqual(r.status, 303, r)
        self.assertIn("done=1&failed=0", r.header("Location"))
        claim = s.request("GET", "/api/v1/claims/%d" % cid, token=s.admin).json
        self.assertEqual((claim["status"], claim["pay_ref"]), ("paid", "PAY-2026-01"))
        before = s.snapshot()
        self.assertEqual(clerk.form("/console/claims/%d/verify" % cid, {"csrf": "x"}).status, 403)
        self.assertUnchanged(before)


if __name__ == "__main__":
    main()
