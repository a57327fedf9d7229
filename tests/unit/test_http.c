/*
 * test_http.c: cmocka unit tests for src/http/html.c (html_escape,
 * html_printf escaping every %s while numbers and %% pass through,
 * html_raw_trusted, html_url_escape) and for the router in
 * src/http/server.c (http_split_path, http_match: literal and :param
 * segments, trailing and repeated slashes, first match wins, method
 * mismatch flag, too many segments or parameters, HEAD matching GET),
 * and src/http/multipart.c (fields and files as browsers send them, data
 * that looks like a boundary, quoted boundaries, preambles, and bodies
 * that do not follow the format).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "http/html.h"
#include "http/multipart.h"
#include "http/server.h"
#include "lib/arena.h"
#include "lib/buf.h"

/* ---- html -------------------------------------------------------------- */

/* Empties b, runs html_printf into it and yields the text. */
#define HTML(b, ...) (buf_reset(&(b)), html_printf(&(b), __VA_ARGS__), (b).data)

static void test_html_escape(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    html_escape(&b, "<a href=\"x\" title='y'>Tom & Jerry</a>");
    assert_string_equal(b.data,
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
    buf_reset(&b);
    html_escape(&b, "plain 工会 text");
    assert_string_equal(b.data, "plain 工会 text");
    buf_reset(&b);
    /* Already-escaped text is escaped again (no double-decoding tricks). */
    html_escape(&b, "&amp;");
    assert_string_equal(b.data, "&amp;amp;");
    buf_reset(&b);
    html_escape(&b, "&&&<<<");
    assert_string_equal(b.data, "&amp;&amp;&amp;&lt;&lt;&lt;");
    buf_reset(&b);
    html_escape(&b, NULL);
    html_escape(&b, "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_html_printf_escapes_every_s(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_string_equal(HTML(b, "%s", "<script>alert('x')</script>"),
                        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    /* The format itself is trusted markup; each argument is escaped. */
    assert_string_equal(HTML(b, "<td class=\"%s\">%s</td>", "a\"b", "<&>"),
                        "<td class=\"a&quot;b\">&lt;&amp;&gt;</td>");
    assert_string_equal(HTML(b, "%s%s%s", "&", "'", "\""), "&amp;&#39;&quot;");
    /* Width and precision do not bypass escaping. */
    assert_non_null(strstr(HTML(b, "[%10s]", "<b>"), "&lt;b&gt;"));
    assert_null(strchr(b.data, '<'));
    assert_non_null(strstr(HTML(b, "[%-3.1s]", "<'"), "&lt;"));
    assert_null(strchr(b.data, '<'));
    assert_null(strchr(b.data, '\''));
    /* NULL prints nothing. */
    const char *volatile nothing = NULL;    /* hidden from -Wformat */
    assert_string_equal(HTML(b, "[%s]", nothing), "[]");
    /* Plain text, and an empty format. */
    assert_string_equal(HTML(b, "no conversions"), "no conversions");
    buf_reset(&b);
    html_printf(&b, "%s", "");
    html_printf(&b, "%s", "");
    assert_int_equal(b.len, 0);

    /* A long argument (several buffer growths). */
    char *big = malloc(3001);
    for (int i = 0; i < 3000; i++)
        big[i] = "<a>&"[i % 4];
    big[3000] = 0;
    buf_reset(&b);
    html_printf(&b, "%s", big);
    assert_int_equal(b.len, 750 * (4 + 1 + 4 + 5));
    assert_null(strchr(b.data, '<'));
    assert_null(strchr(b.data, '>'));
    free(big);

    /* Appends rather than overwrites. */
    buf_reset(&b);
    html_printf(&b, "%s", "a");
    html_printf(&b, "%s", "<");
    assert_string_equal(b.data, "a&lt;");
    buf_free(&b);
}

/* %.Ns keeps at most N bytes, never half a UTF-8 character, and escapes. */
static void test_html_printf_precision(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    html_printf(&b, "[%.10s]", "2026-11-24T23:04:21+08:00");
    assert_string_equal(b.data, "[2026-11-24]");
    buf_reset(&b);
    html_printf(&b, "[%.4s]", "一二");          /* 3 bytes each: only the first fits */
    assert_string_equal(b.data, "[一]");
    buf_reset(&b);
    html_printf(&b, "[%.2s]", "<b>");
    assert_string_equal(b.data, "[&lt;b]");
    buf_reset(&b);
    html_printf(&b, "[%.9s]", "ab");
    assert_string_equal(b.data, "[ab]");
    buf_free(&b);
}

static void test_html_printf_numbers(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_string_equal(HTML(b, "%d|%i|%u", -12, 34, 56u), "-12|34|56");
    assert_string_equal(HTML(b, "%x|%X|%#x", 255, 255, 255), "ff|FF|0xff");
    assert_string_equal(HTML(b, "%5d|%-5d|%05d|%+d", 42, 42, 42, 42),
                        "   42|42   |00042|+42");
    assert_string_equal(HTML(b, "%ld|%lu", -1234567890123L, 1234567890123UL),
                        "-1234567890123|1234567890123");
    assert_string_equal(HTML(b, "%lld|%llu", -9223372036854775807LL - 1,
                             18446744073709551615ULL),
                        "-9223372036854775808|18446744073709551615");
    assert_string_equal(HTML(b, "%zu|%zd", (size_t)4000000000u, (ssize_t)-5),
                        "4000000000|-5");
    assert_string_equal(HTML(b, "%hd|%hhu", (short)-3, (unsigned char)200), "-3|200");
    assert_string_equal(HTML(b, "%.2f|%g|%e", 3.14159, 0.5, 1500.0),
                        "3.14|0.5|1.500000e+03");
    assert_string_equal(HTML(b, "%8.3f", 2.5), "   2.500");
    assert_string_equal(HTML(b, "%c%c", 'o', 'k'), "ok");
    /* Mixed with strings: arguments stay in step. */
    assert_string_equal(HTML(b, "%s=%d; %s=%lld; %s=%.1f", "<a>", 1, "b&", 2LL, "'c'", 3.0),
                        "&lt;a&gt;=1; b&amp;=2; &#39;c&#39;=3.0");
    buf_free(&b);
}

static void test_html_printf_percent(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_string_equal(HTML(b, "100%%"), "100%");
    assert_string_equal(HTML(b, "%%s"), "%s");
    assert_string_equal(HTML(b, "%%%s%%", "<"), "%&lt;%");
    assert_string_equal(HTML(b, "%d%%", 50), "50%");
    /* Unsupported conversions are visible, not guessed at. */
    assert_string_equal(HTML(b, "[%p]", (void *)&b), "[[bad format]]");
    buf_free(&b);
}

static void test_html_raw_trusted(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    html_raw_trusted(&b, "<b>bold</b> & 'raw'");
    assert_string_equal(b.data, "<b>bold</b> & 'raw'");
    buf_free(&b);
}

static void test_html_url_escape(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    html_url_escape(&b, "AZaz09-_.~");
    assert_string_equal(b.data, "AZaz09-_.~");
    buf_reset(&b);
    html_url_escape(&b, "a b/c?d=e&f#g+h%i");
    assert_string_equal(b.data, "a%20b%2Fc%3Fd%3De%26f%23g%2Bh%25i");
    buf_reset(&b);
    html_url_escape(&b, "<\"'>");
    assert_string_equal(b.data, "%3C%22%27%3E");
    buf_reset(&b);
    html_url_escape(&b, "中");
    assert_string_equal(b.data, "%E4%B8%AD");
    buf_reset(&b);
    html_url_escape(&b, "\x01\x7f\xff");
    assert_string_equal(b.data, "%01%7F%FF");
    buf_reset(&b);
    html_url_escape(&b, "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

/* ---- http_split_path --------------------------------------------------- */

static void test_split_path(void **state)
{
    (void)state;
    char copy[128];
    const char *segs[6];

    assert_int_equal(http_split_path("/api/v1/orgs", copy, sizeof copy, segs, 6), 3);
    assert_string_equal(segs[0], "api");
    assert_string_equal(segs[1], "v1");
    assert_string_equal(segs[2], "orgs");

    assert_int_equal(http_split_path("/", copy, sizeof copy, segs, 6), 0);
    assert_int_equal(http_split_path("", copy, sizeof copy, segs, 6), 0);
    assert_int_equal(http_split_path("////", copy, sizeof copy, segs, 6), 0);

    /* Leading, trailing and repeated slashes do not make empty segments. */
    assert_int_equal(http_split_path("//a///b//", copy, sizeof copy, segs, 6), 2);
    assert_string_equal(segs[0], "a");
    assert_string_equal(segs[1], "b");
    assert_int_equal(http_split_path("a/b", copy, sizeof copy, segs, 6), 2);
    assert_string_equal(segs[1], "b");

    /* :param segments are kept as written. */
    assert_int_equal(http_split_path("/orgs/:code/children", copy, sizeof copy, segs, 6), 3);
    assert_string_equal(segs[1], ":code");

    /* Exactly max segments, then one more. */
    assert_int_equal(http_split_path("/1/2/3/4/5/6", copy, sizeof copy, segs, 6), 6);
    assert_string_equal(segs[5], "6");
    assert_int_equal(http_split_path("/1/2/3/4/5/6/", copy, sizeof copy, segs, 6), 6);
    assert_int_equal(http_split_path("/1/2/3/4/5/6/7", copy, sizeof copy, segs, 6), -1);
    assert_int_equal(http_split_path("/a", copy, sizeof copy, segs, 0), -1);
    assert_int_equal(http_split_path("/", copy, sizeof copy, segs, 0), 0);

    /* A path that does not fit in the copy is refused, not truncated. */
    assert_int_equal(http_split_path("/abcdef", copy, 8, segs, 6), 1);
    assert_int_equal(http_split_path("/abcdefg", copy, 8, segs, 6), -1);
}

/* ---- http_match -------------------------------------------------------- */

static void h_dummy(struct req *r)
{
    (void)r;
}

static const struct http_route routes[] = {
    /*  0 */ {"GET", "/", h_dummy, 0, NULL},
    /*  1 */ {"GET", "/api/v1/health", h_dummy, 0, NULL},
    /*  2 */ {"GET", "/api/v1/orgs", h_dummy, ROUTE_AUTH, NULL},
    /*  3 */ {"POST", "/api/v1/orgs", h_dummy, ROUTE_AUTH, NULL},
    /*  4 */ {"GET", "/api/v1/orgs/:code", h_dummy, ROUTE_AUTH, NULL},
    /*  5 */ {"PATCH", "/api/v1/orgs/:code", h_dummy, ROUTE_AUTH, NULL},
    /*  6 */ {"GET", "/api/v1/orgs/:code/children", h_dummy, ROUTE_AUTH, NULL},
    /*  7 */ {"GET", "/api/v1/employers/export", h_dummy, ROUTE_AUTH, NULL},
    /*  8 */ {"GET", "/api/v1/employers/:id", h_dummy, ROUTE_AUTH, NULL},
    /*  9 */ {"GET", "/a/:x/b/:y", h_dummy, 0, NULL},
    /* 10 */ {"GET", "/p/:a/:b/:c/:d/:e", h_dummy, 0, NULL},
    /* 11 */ {"POST", "/login", h_dummy, ROUTE_LOGIN_FORM, NULL},
    /* 12 */ {"GET", "/q/:a/:b/:c/:d", h_dummy, 0, NULL},
};

struct match {
    int idx;
    bool mismatch;
    int nparams;
    char name[REQ_MAX_PARAMS][32];      /* copies: the originals live in */
    char value[REQ_MAX_PARAMS][64];     /* the arena freed below */
};

/* Runs http_match on the route table above with a fresh arena. */
static struct match match(const char *method, const char *path)
{
    struct arena a;
    arena_init(&a);
    struct match m;
    memset(&m, 0, sizeof m);
    struct req_kv params[REQ_MAX_PARAMS];
    m.mismatch = true;          /* http_match must set it either way */
    m.nparams = -1;
    m.idx = http_match(routes, UB_ARRAY_LEN(routes), method, path, params,
                       &m.nparams, &a, &m.mismatch);
    assert_true(m.nparams >= 0 && m.nparams <= REQ_MAX_PARAMS);
    for (int i = 0; i < m.nparams; i++) {
        snprintf(m.name[i], sizeof m.name[i], "%s", params[i].name);
        snprintf(m.value[i], sizeof m.value[i], "%s", params[i].value);
    }
    arena_free(&a);
    return m;
}

static void test_match_literals(void **state)
{
    (void)state;
    struct match m = match("GET", "/api/v1/health");
    assert_int_equal(m.idx, 1);
    assert_false(m.mismatch);
    assert_int_equal(m.nparams, 0);

    assert_int_equal(match("GET", "/").idx, 0);
    assert_int_equal(match("GET", "").idx, 0);
    assert_int_equal(match("GET", "/api/v1/orgs").idx, 2);
    assert_int_equal(match("POST", "/api/v1/orgs").idx, 3);

    /* Case matters; prefixes and extensions do not match. */
    m = match("GET", "/API/v1/health");
    assert_int_equal(m.idx, -1);
    assert_false(m.mismatch);
    assert_int_equal(match("GET", "/api/v1").idx, -1);
    assert_int_equal(match("GET", "/api/v1/healthz").idx, -1);
    assert_int_equal(match("GET", "/api/v1/health/x").idx, -1);
    assert_int_equal(match("GET", "/nowhere").idx, -1);
}

static void test_match_trailing_slashes(void **state)
{
    (void)state;
    /* Empty segments are ignored: these name the same resource. */
    assert_int_equal(match("GET", "/api/v1/health/").idx, 1);
    assert_int_equal(match("GET", "//api//v1///health").idx, 1);
    struct match m = match("GET", "/api/v1/orgs/C01/");
    assert_int_equal(m.idx, 4);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.value[0], "C01");
    /* An empty segment never fills a parameter. */
    assert_int_equal(match("GET", "/api/v1/orgs//").idx, 2);
    assert_int_equal(match("GET", "/a//b/1").idx, -1);
}

static void test_match_params(void **state)
{
    (void)state;
    struct match m = match("GET", "/api/v1/orgs/C01");
    assert_int_equal(m.idx, 4);
    assert_false(m.mismatch);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.name[0], "code");
    assert_string_equal(m.value[0], "C01");

    m = match("PATCH", "/api/v1/orgs/sh.pudong-01");
    assert_int_equal(m.idx, 5);
    assert_string_equal(m.value[0], "sh.pudong-01");

    m = match("GET", "/api/v1/orgs/X/children");
    assert_int_equal(m.idx, 6);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.value[0], "X");
    assert_int_equal(match("GET", "/api/v1/orgs/X/children/Y").idx, -1);
    assert_int_equal(match("GET", "/api/v1/orgs/X/parents").idx, -1);

    m = match("GET", "/a/1/b/2");
    assert_int_equal(m.idx, 9);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.name[0], "x");
    assert_string_equal(m.value[0], "1");
    assert_string_equal(m.name[1], "y");
    assert_string_equal(m.value[1], "2");
    /* The literal between the parameters must match. */
    assert_int_equal(match("GET", "/a/1/c/2").idx, -1);

    /* Values are taken as they are (the server decodes before matching). */
    m = match("GET", "/api/v1/orgs/%E4%B8%AD:x");
    assert_int_equal(m.idx, 4);
    assert_string_equal(m.value[0], "%E4%B8%AD:x");

    /* As many parameters as REQ_MAX_PARAMS is fine... */
    m = match("GET", "/q/1/2/3/4");
    assert_int_equal(m.idx, 12);
    assert_int_equal(m.nparams, REQ_MAX_PARAMS);
    assert_string_equal(m.name[3], "d");
    assert_string_equal(m.value[3], "4");
    /* ...a pattern with more never matches. */
    m = match("GET", "/p/1/2/3/4/5");
    assert_int_equal(m.idx, -1);
    assert_false(m.mismatch);
    assert_int_equal(m.nparams, 0);
}

static void test_match_first_wins(void **state)
{
    (void)state;
    /* A literal route listed before a parameter route takes precedence. */
    struct match m = match("GET", "/api/v1/employers/export");
    assert_int_equal(m.idx, 7);
    assert_int_equal(m.nparams, 0);
    m = match("GET", "/api/v1/employers/42");
    assert_int_equal(m.idx, 8);
    assert_string_equal(m.name[0], "id");
    assert_string_equal(m.value[0], "42");
}

static void test_match_method_mismatch(void **state)
{
    (void)state;
    struct match m = match("POST", "/api/v1/health");
    assert_int_equal(m.idx, -1);
    assert_true(m.mismatch);
    assert_int_equal(m.nparams, 0);

    m = match("DELETE", "/api/v1/orgs/C01");
    assert_int_equal(m.idx, -1);
    assert_true(m.mismatch);

    m = match("PUT", "/api/v1/orgs");
    assert_int_equal(m.idx, -1);
    assert_true(m.mismatch);

    m = match("GET", "/login");
    assert_int_equal(m.idx, -1);
    assert_true(m.mismatch);

    /* No such path at all: not a method mismatch. */
    m = match("DELETE", "/api/v1/nothing");
    assert_int_equal(m.idx, -1);
    assert_false(m.mismatch);

    /* The right method for a path found after a wrong-method route. */
    m = match("PATCH", "/api/v1/orgs/C01");
    assert_int_equal(m.idx, 5);
}

static void test_match_head_is_get(void **state)
{
    (void)state;
    struct match m = match("HEAD", "/api/v1/health");
    assert_int_equal(m.idx, 1);
    assert_false(m.mismatch);
    m = match("HEAD", "/api/v1/orgs/C01");
    assert_int_equal(m.idx, 4);
    assert_string_equal(m.value[0], "C01");
    assert_int_equal(match("HEAD", "/api/v1/orgs").idx, 2);
    /* HEAD only stands in for GET: a POST-only path is a mismatch. */
    m = match("HEAD", "/login");
    assert_int_equal(m.idx, -1);
    assert_true(m.mismatch);
}

static void test_match_too_many_segments(void **state)
{
    (void)state;
    /* The router splits at most 12 segments; longer paths are 404, and
     * never crash or match a shorter route. */
    struct match m = match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m");
    assert_int_equal(m.idx, -1);
    assert_false(m.mismatch);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l").idx, -1);

    /* A very long path. */
    char *p = malloc(20001);
    for (int i = 0; i < 20000; i += 2) {
        p[i] = '/';
        p[i + 1] = 'x';
    }
    p[20000] = 0;
    m = match("GET", p);
    assert_int_equal(m.idx, -1);
    assert_false(m.mismatch);
    /* One long segment is fine. */
    memset(p + 1, 'y', 19999);
    assert_int_equal(match("GET", p).idx, -1);
    free(p);
}

static void test_match_empty_table(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct req_kv params[REQ_MAX_PARAMS];
    int np = -1;
    bool mm = true;
    assert_int_equal(http_match(routes, 0, "GET", "/", params, &np, &a, &mm), -1);
    assert_false(mm);
    assert_int_equal(np, 0);
    arena_free(&a);
}

/* ---- multipart --------------------------------------------------------- */

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryX"
#define SEP "------WebKitFormBoundaryX"

static void test_multipart_form(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* The file holds the boundary (not after a line break, which would end
     * the part), CRLFs, dashes and a NUL. */
    static const char body[] =
        SEP "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
        SEP "\r\nContent-Disposition: form-data; name=\"org\"\r\n\r\n\r\n"
        SEP "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册 1.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n"
        "a,b " SEP "-not\r\n--\r\nx\0y\r\n"
        SEP "--\r\n";
    struct multipart_part p[4];
    assert_int_equal(multipart_parse(CT, body, sizeof body - 1, p, 4, &a), 3);
    assert_string_equal(p[0].name, "csrf");
    assert_null(p[0].filename);
    assert_int_equal(p[0].len, 3);
    assert_memory_equal(p[0].data, "tok", 3);
    assert_string_equal(p[1].name, "org");
    assert_int_equal(p[1].len, 0);
    assert_string_equal(p[2].name, "file");
    assert_string_equal(p[2].filename, "名册 1.csv");
    static const char file[] = "a,b " SEP "-not\r\n--\r\nx\0y";
    assert_int_equal(p[2].len, sizeof file - 1);
    assert_memory_equal(p[2].data, file, sizeof file - 1);
    assert_ptr_equal(p[2].data, strstr(body, "a,b"));      /* not copied */

    /* Too many parts for the room given. */
    assert_int_equal(multipart_parse(CT, body, sizeof body - 1, p, 2, &a), -1);
    arena_free(&a);
}

static void test_multipart_variants(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct multipart_part p[2];
    /* A quoted boundary with other parameters, a preamble, a part
     * without headers (no name: refused), an empty form. */
    static const char q[] = "preamble\r\n--b c\r\nContent-Disposition: form-data; "
                            "name=x\r\n\r\n1\r\n--b c--";
    assert_int_equal(multipart_parse("Multipart/Form-Data; charset=utf-8; boundary=\"b c\"", q,
                                     sizeof q - 1, p, 2, &a), 1);
    assert_string_equal(p[0].name, "x");
    assert_memory_equal(p[0].data, "1", 1);
    static const char bare[] = "--b\r\n\r\n1\r\n--b--";
    assert_int_equal(multipart_parse("multipart/form-data; boundary=b", bare, sizeof bare - 1,
                                     p, 2, &a), -1);
    assert_int_equal(multipart_parse("multipart/form-data; boundary=b", "--b--", 5, p, 2, &a),
                     0);

    /* Not what it claims to be. */
    static const char one[] = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1"
                              "\r\n--b--";
    const char *bad_types[] = {
        NULL, "text/plain", "multipart/form-data", "multipart/form-dataX; boundary=b",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=\"b",
        "multipart/mixed; boundary=b",
    };
    for (size_t i = 0; i < sizeof bad_types / sizeof *bad_types; i++)
        assert_int_equal(multipart_parse(bad_types[i], one, sizeof one - 1, p, 2, &a), -1);
    assert_int_equal(multipart_parse("multipart/form-data; boundary=b", one, sizeof one - 1,
                                     p, 2, &a), 1);
    /* Cut short, no boundary at all, another disposition, no blank line
     * after the headers, NULL body. */
    const char *bad_bodies[] = {
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
        "no boundary here",
        "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n1\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n1\r\n--b--",
        "--bX\r\n",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--bX\r\n--b--",
    };
    for (size_t i = 0; i < sizeof bad_bodies / sizeof *bad_bodies; i++)
        assert_int_equal(multipart_parse("multipart/form-data; boundary=b", bad_bodies[i],
                                         strlen(bad_bodies[i]), p, 2, &a), -1);
    assert_int_equal(multipart_parse("multipart/form-data; boundary=b", NULL, 0, p, 2, &a), -1);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_html_printf_escapes_every_s),
        cmocka_unit_test(test_html_printf_numbers),
        cmocka_unit_test(test_html_printf_precision),
        cmocka_unit_test(test_html_printf_percent),
        cmocka_unit_test(test_html_raw_trusted),
        cmocka_unit_test(test_html_url_escape),
        cmocka_unit_test(test_split_path),
        cmocka_unit_test(test_match_literals),
        cmocka_unit_test(test_match_trailing_slashes),
        cmocka_unit_test(test_match_params),
        cmocka_unit_test(test_match_first_wins),
        cmocka_unit_test(test_match_method_mismatch),
        cmocka_unit_test(test_match_head_is_get),
        cmocka_unit_test(test_match_too_many_segments),
        cmocka_unit_test(test_match_empty_table),
        cmocka_unit_test(test_multipart_form),
        cmocka_unit_test(test_multipart_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
