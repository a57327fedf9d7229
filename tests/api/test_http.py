"""The HTTP server: health, metrics, errors, limits, headers, keep-alive."""
import http.client
import socket

from harness import ServerTest, main


class HttpTest(ServerTest):

    def test_healthz(self):
        r = self.s.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertGreaterEqual(r.json["schema"], 1)

    def test_unknown_path_is_json_404(self):
        self.assertError(self.s.request("GET", "/api/v1/nothing"), 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        r = self.s.request("DELETE", "/api/v1/orgs")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, POST")
        r = self.s.request("POST", "/api/v1/orgs/110118")
        self.assertEqual(r.header("Allow"), "GET, PATCH")

    def test_json_bodies_need_the_json_type(self):
        tok = self.s.admin
        before = self.s.snapshot()
        body = b'{"code":"t.ct","name":"x","level":"town","parent":"110118"}'
        for ctype in (None, "text/plain", "application/x-www-form-urlencoded",
                      "application/jsonx"):
            h = {"Content-Type": ctype} if ctype else {}
            r = self.s.request("POST", "/api/v1/orgs", raw=body, token=tok, headers=h)
            self.assertError(r, 415, "unsupported_media_type")
        self.assertUnchanged(before)
        r = self.s.request("POST", "/api/v1/orgs", raw=body, token=tok,
                           headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(r.status, 201, r)

    def test_head_is_answered_like_get(self):
        r = self.s.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_security_headers(self):
        r = self.s.request("GET", "/healthz")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("X-Frame-Options"), "DENY")
        self.assertIn("default-src 'none'", r.header("Content-Security-Policy"))
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_body_over_limit_by_content_length_is_413(self):
        # The server answers from the headers alone, before any body is sent.
        tok = self.s.admin
        before = self.s.snapshot()
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        sock.sendall(b"POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer " + tok.encode() + b"\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 1048677\r\n\r\n")
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        body = resp.read()
        sock.close()
        self.assertEqual(resp.status, 413, body)
        self.assertIn(b'"body_too_large"', body)
        self.assertUnchanged(before)

    def test_chunked_body_over_limit_is_413(self):
        tok = self.s.admin
        before = self.s.snapshot()
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=30)
        c.putrequest("POST", "/api/v1/orgs")
        c.putheader("Authorization", "Bearer " + tok)
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"x" * 65536
        for _ in range(20):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        body = r.read()
        c.close()
        self.assertEqual(r.status, 413, body)
        self.assertUnchanged(before)

    def test_browser_sized_headers_are_served(self):
        # A browser behind a proxy: a long user agent, many cookies from
        # other apps on the same host, forwarding headers; about 6 KB in
        # all, the most a common proxy passes on by default is 8 KB.
        cookies = "; ".join("app%02d=%s" % (i, "v" * 100) for i in range(50))
        h = {"User-Agent": "Mozilla/5.0 " + "x" * 400, "Cookie": cookies,
             "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
             "X-Forwarded-For": ", ".join("10.0.0.%d" % i for i in range(20))}
        self.assertGreater(sum(len(k) + len(v) for k, v in h.items()), 5500)
        r = self.s.request("GET", "/healthz", headers=h)
        self.assertEqual(r.status, 200)
        r = self.s.request("GET", "/api/v1/orgs/110000", token=self.s.admin, headers=h)
        self.assertEqual(r.status, 200, r.body)
        # One header line as long as nginx passes on by default (8 KB).
        r = self.s.request("GET", "/healthz", headers={"Cookie": "big=" + "v" * 8180})
        self.assertEqual(r.status, 200)
        # About 10.5 KB of headers in all, and a JSON body after 7 KB of them.
        r = self.s.request("GET", "/healthz", headers={"Cookie": "big=" + "v" * 8180,
                                                       "X-Extra": "e" * 2300})
        self.assertEqual(r.status, 200)
        before = self.s.snapshot()
        r = self.s.request("POST", "/api/v1/orgs", {"code": "", "name": "x"},
                           token=self.s.admin, headers={"Cookie": "c=" + "v" * 7000})
        self.assertEqual(r.status, 422, r.body)
        self.assertUnchanged(before)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=10)
        c.connect()
        sock = c.sock
        for _ in range(5):
            r = self.s.request("GET", "/healthz", conn=c)
            self.assertEqual(r.status, 200)
            self.assertIs(c.sock, sock, "the connection was not kept alive")
        c.close()

    def test_slow_client_times_out_without_hurting_others(self):
        # A client that opens a connection and sends nothing must not block
        # other requests.
        idle = socket.create_connection(("127.0.0.1", self.s.port))
        try:
            self.assertEqual(self.s.request("GET", "/healthz").status, 200)
        finally:
            idle.close()

    def test_metrics(self):
        self.s.request("GET", "/healthz")
        self.s.request("GET", "/api/v1/nothing")
        r = self.s.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        text = r.text
        self.assertIn("# TYPE ub_http_requests_total counter", text)
        self.assertIn('ub_http_requests_total{route="GET /healthz",status="200"}', text)
        self.assertIn('ub_http_requests_total{route="unmatched",status="404"}', text)
        self.assertIn("# TYPE ub_http_request_duration_seconds histogram", text)
        self.assertIn('ub_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"}',
                      text)
        self.assertIn("ub_db_errors_total 0", text)

    def test_metrics_count_requests(self):
        def healthz_200():
            for line in self.s.request("GET", "/metrics").text.splitlines():
                if line.startswith('ub_http_requests_total{route="GET /healthz",status="200"}'):
                    return int(line.split()[-1])
            return 0
        before = healthz_200()
        for _ in range(3):
            self.s.request("GET", "/healthz")
        self.assertEqual(healthz_200(), before + 3)

    def test_bad_json_everywhere_is_400(self):
        tok = self.s.admin
        for path in ["/api/v1/orgs", "/api/v1/employers", "/api/v1/auth/login"]:
            for body in [b"{not json", b"[1,2]", b'"text"', b"", b'{"a":1,"a":2}']:
                before = self.s.snapshot()
                r = self.s.request("POST", path, raw=body, token=tok,
                                   headers={"Content-Type": "application/json"})
                self.assertError(r, 400)
                self.assertUnchanged(before)


if __name__ == "__main__":
    main()
