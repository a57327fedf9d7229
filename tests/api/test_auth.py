"""Staff sign-in: passwords, tokens, sessions, rate limits, audit."""
from harness import ADMIN_PW, STAFF_PW, Server, ServerTest, main


class AuthTest(ServerTest):

    def test_login_returns_a_working_token(self):
        r = self.s.request("POST", "/api/v1/auth/login",
                           {"login": "admin", "password": ADMIN_PW})
        self.assertEqual(r.status, 200, r)
        tok = r.json["token"]
        self.assertEqual(r.json["user"]["role"], "admin")
        self.assertTrue(r.json["expires_at"].endswith("+08:00"))
        me = self.s.request("GET", "/api/v1/auth/me", token=tok)
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json["login"], "admin")

    def test_wrong_password_and_unknown_account_look_the_same(self):
        a = self.s.request("POST", "/api/v1/auth/login",
                           {"login": "admin", "password": "wrong-password"})
        b = self.s.request("POST", "/api/v1/auth/login",
                           {"login": "nobody", "password": "wrong-password"})
        self.assertError(a, 401, "bad_credentials")
        self.assertError(b, 401, "bad_credentials")
        self.assertEqual(a.json, b.json)

    def test_login_bad_input(self):
        self.assertError(self.s.request("POST", "/api/v1/auth/login", {"login": "admin"}),
                         400, "missing_field")
        self.assertError(self.s.request("POST", "/api/v1/auth/login",
                                        {"login": 1, "password": "x"}), 400, "bad_type")
        self.assertError(self.s.request("POST", "/api/v1/auth/login",
                                        {"login": "a", "password": "b", "x": 1}),
                         400, "unknown_field")

    def test_no_or_bad_token_is_401(self):
        self.assertError(self.s.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        self.assertError(self.s.request("GET", "/api/v1/auth/me", token="nonsense"), 401)
        self.assertError(self.s.request("GET", "/api/v1/auth/me", token="A" * 43), 401)
        r = self.s.request("GET", "/api/v1/auth/me", headers={"Authorization": "Basic eA=="})
        self.assertError(r, 401)

    def test_logout_ends_the_session(self):
        tok = self.s.login("admin", ADMIN_PW)
        self.assertEqual(self.s.request("POST", "/api/v1/auth/logout", token=tok).status, 200)
        self.assertError(self.s.request("GET", "/api/v1/auth/me", token=tok), 401)

    def test_passwords_are_argon2id_and_tokens_are_digests(self):
        tok = self.s.admin
        for (h,) in self.s.query("SELECT pw_hash FROM users"):
            self.assertTrue(h.startswith("$argon2id$"), h)
        digests = [d for (d,) in self.s.query("SELECT digest FROM sessions")]
        self.assertNotIn(tok, digests)
        self.assertTrue(all(len(d) == 64 for d in digests))

    def test_logins_are_audited(self):
        self.s.request("POST", "/api/v1/auth/login", {"login": "admin", "password": "nope-nope"})
        self.s.login("admin", ADMIN_PW)
        actions = [a for (a,) in self.s.query(
            "SELECT action FROM audit_log WHERE object_id = 'admin' ORDER BY id")]
        self.assertIn("auth.login_failed", actions)
        self.assertIn("auth.login", actions)
        addrs = {a for (a,) in self.s.query(
            "SELECT addr FROM audit_log WHERE action LIKE 'auth.%'")}
        self.assertEqual(addrs, {"127.0.0.1"})


class RateLimitTest(ServerTest):

    def test_account_is_locked_after_five_failures(self):
        tok = self.s.user("locked.user", "federation", "110118001")
        self.assertTrue(tok)
        for _ in range(5):
            r = self.s.request("POST", "/api/v1/auth/login",
                               {"login": "locked.user", "password": "wrong-password"})
            self.assertError(r, 401, "bad_credentials")
        r = self.s.request("POST", "/api/v1/auth/login",
                           {"login": "locked.user", "password": STAFF_PW})
        self.assertError(r, 429, "too_many_attempts")
        self.assertGreater(int(r.header("Retry-After")), 0)
        # Other accounts are not locked by it.
        self.assertEqual(self.s.request("POST", "/api/v1/auth/login",
                                        {"login": "admin", "password": ADMIN_PW}).status, 200)

    def test_address_is_limited_across_accounts(self):
        s = Server(demo=False)
        try:
            for i in range(20):
                r = s.request("POST", "/api/v1/auth/login",
                              {"login": "guess%d" % i, "password": "wrong-password"})
                self.assertEqual(r.status, 401, r)
            r = s.request("POST", "/api/v1/auth/login", {"login": "admin", "password": ADMIN_PW})
            self.assertError(r, 429, "too_many_attempts")
        finally:
            s.cleanup()

    def test_limits_survive_a_restart(self):
        s = Server(demo=False)
        try:
            for _ in range(5):
                s.request("POST", "/api/v1/auth/login", {"login": "admin", "password": "x" * 12})
            s.stop()
            s.start()
            r = s.request("POST", "/api/v1/auth/login", {"login": "admin", "password": ADMIN_PW})
            self.assertError(r, 429, "too_many_attempts")
        finally:
            s.cleanup()


if __name__ == "__main__":
    main()
