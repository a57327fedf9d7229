/*
 * test_lib.c: cmocka unit tests for src/lib/arena.c (bump allocation, spare blocks per thread,
 * alignment, big one-off blocks, string helpers), src/lib/buf.c (growth,
 * NUL termination, printf, steal/reset), the JSON writer of src/lib/jsonx.c
 * (its text read back by jansson: escapes, nesting, commas, null) and
 * src/lib/util.c (ub_strlcpy
 * truncation, ub_utf8_text: overlong encodings, surrogates, control
 * characters, range; ub_utf8_len; ub_parse_i64 edge cases; ub_iso_time in
 * several time zones, Asia/Shanghai giving +08:00).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <pthread.h>

#include "lib/arena.h"
#include "lib/bodycache.h"
#include "lib/buf.h"
#include "lib/jsonx.h"
#include "lib/util.h"

/* ---- arena ------------------------------------------------------------- */

static void test_arena_alignment_and_distinct(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_null(a.head);

    /* Many allocations of assorted sizes: each aligned to 16, each usable
     * in full, none overlapping another (checked by filling and
     * re-reading every one). */
    enum { N = 2000 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    for (int i = 0; i < N; i++) {
        sizes[i] = (size_t)(i * 37 % 700) + (i % 50 == 0 ? 3000 : 0);
        ptrs[i] = arena_alloc(&a, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            if (ptrs[i][j] != (unsigned char)(i & 0xff))
                fail_msg("allocation %d byte %zu overwritten", i, j);
    arena_free(&a);
    assert_null(a.head);
}

static void test_arena_small_allocations_are_contiguous(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *p1 = arena_alloc(&a, 1);
    char *p2 = arena_alloc(&a, 16);
    char *p3 = arena_alloc(&a, 17);
    char *p4 = arena_alloc(&a, 5);
    /* Sizes round up to 16 within one block. */
    assert_ptr_equal(p2, p1 + 16);
    assert_ptr_equal(p3, p2 + 16);
    assert_ptr_equal(p4, p3 + 32);
    arena_free(&a);
}

static void test_arena_big_one_off_keeps_small_block(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *s1 = arena_alloc(&a, 32);
    char *big = arena_alloc(&a, 100000);
    memset(big, 'x', 100000);
    char *s2 = arena_alloc(&a, 32);
    /* The big allocation got its own block; small ones carry on in the
     * block that was current before. */
    assert_ptr_equal(s2, s1 + 32);
    assert_true(big + 100000 <= s1 || big >= s2 + 32);

    /* A big allocation as the very first one. */
    struct arena b;
    arena_init(&b);
    char *big2 = arena_alloc(&b, 5000);
    memset(big2, 'y', 5000);
    char *t1 = arena_alloc(&b, 10);
    char *t2 = arena_alloc(&b, 10);
    assert_ptr_equal(t2, t1 + 16);
    assert_true(t1 >= big2 + 5000 || t1 + 16 <= big2);
    arena_free(&b);
    arena_free(&a);
}

static void test_arena_fill_block_exactly(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* Exactly one 16 KiB block's worth, then one more byte. */
    char *p = arena_alloc(&a, 8192);
    char *q = arena_alloc(&a, 8192);
    assert_ptr_equal(q, p + 8192);
    memset(p, 1, 16384);
    char *r = arena_alloc(&a, 1);
    assert_non_null(r);
    assert_true(r < p || r >= p + 16384);
    *r = 2;
    assert_int_equal(p[16383], 1);
    arena_free(&a);
}

/* A thread keeps a freed arena's blocks for its next arena (dirty, so
 * zalloc still zeroes), and frees them when it exits (LeakSanitizer and
 * valgrind watch this test). */
static void *arena_thread(void *arg)
{
    (void)arg;
    for (int round = 0; round < 3; round++) {
        struct arena a;
        arena_init(&a);
        for (int i = 0; i < 5; i++)
            memset(arena_alloc(&a, 6000), 0xcd, 6000);
        arena_free(&a);
    }
    return NULL;
}

static void test_arena_spare_blocks(void **state)
{
    (void)state;
    struct arena a, b;
    arena_init(&a);
    unsigned char *p = arena_alloc(&a, 100);
    memset(p, 0xee, 100);
    arena_free(&a);
    arena_init(&b);
    unsigned char *q = arena_zalloc(&b, 100);
    assert_ptr_equal(q, p);                 /* the same block, again */
    for (int i = 0; i < 100; i++)
        assert_int_equal(q[i], 0);
    arena_free(&b);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, arena_thread, NULL), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
}

static void test_arena_zalloc(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* Dirty a block, then reuse the arena: zalloc must zero. */
    for (int round = 0; round < 2; round++) {
        unsigned char *d = arena_alloc(&a, 1024);
        memset(d, 0xab, 1024);
        unsigned char *z = arena_zalloc(&a, 1000);
        for (int i = 0; i < 1000; i++)
            assert_int_equal(z[i], 0);
        unsigned char *zb = arena_zalloc(&a, 9000);
        for (int i = 0; i < 9000; i++)
            assert_int_equal(zb[i], 0);
        arena_free(&a);
    }
}

static void test_arena_strings(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_null(arena_strdup(&a, NULL));
    assert_string_equal(arena_strdup(&a, ""), "");
    const char *src = "工会 union";
    char *d = arena_strdup(&a, src);
    assert_string_equal(d, src);
    assert_ptr_not_equal(d, src);
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    assert_string_equal(arena_strndup(&a, "abcdef", 0), "");
    /* strndup copies n bytes even across an embedded NUL. */
    char *e = arena_strndup(&a, "ab\0cd", 5);
    assert_memory_equal(e, "ab\0cd", 6);
    assert_string_equal(arena_printf(&a, "%d-%s-%05.1f", 42, "x", 3.14159), "42-x-003.1");
    assert_string_equal(arena_printf(&a, "%s", ""), "");

    /* A formatted string longer than a block. */
    char *big = malloc(10001);
    memset(big, 'q', 10000);
    big[10000] = 0;
    char *p = arena_printf(&a, "<%s>", big);
    assert_int_equal(strlen(p), 10002);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[10001], '>');
    free(big);
    arena_free(&a);
    /* The arena can be used again after arena_free. */
    assert_string_equal(arena_strdup(&a, "again"), "again");
    arena_free(&a);
}

/* ---- buf --------------------------------------------------------------- */

static void test_buf_base64(void **state)
{
    (void)state;
    /* RFC 4648 section 10, then binary bytes and an empty input. */
    static const char *const vec[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
        buf_reset(&b);
        buf_puts(&b, ">");
        buf_base64(&b, vec[i][0], strlen(vec[i][0]));
        assert_int_equal(b.len, 1 + strlen(vec[i][1]));
        assert_string_equal(b.data + 1, vec[i][1]);
    }
    buf_reset(&b);
    buf_base64(&b, "\xef\xbb\xbf\xff\0\xfe", 6);
    assert_string_equal(b.data, "77u//wD+");
    buf_free(&b);
}

static void test_buf_basics(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_puts(&b, "abc");
    buf_putc(&b, 'd');
    buf_append(&b, "efgh", 2);
    buf_printf(&b, "[%d|%s]", -7, "x");
    assert_string_equal(b.data, "abcdef[-7|x]");
    assert_int_equal(b.len, strlen("abcdef[-7|x]"));
    assert_true(b.cap > b.len);

    /* Binary data with an embedded NUL: len counts it, data stays
     * NUL-terminated. */
    buf_append(&b, "\0z", 2);
    assert_int_equal(b.len, 14);
    assert_int_equal(b.data[12], 0);
    assert_int_equal(b.data[13], 'z');
    assert_int_equal(b.data[14], 0);

    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(b.cap, cap);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);

    /* reset and free on an empty buf are fine. */
    buf_reset(&b);
    buf_free(&b);
    buf_append(&b, "", 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_buf_growth(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 100000);
    assert_int_equal(strlen(b.data), 100000);
    for (int i = 0; i < 100000; i++)
        if (b.data[i] != (char)('a' + i % 26))
            fail_msg("byte %d wrong", i);
    buf_free(&b);

    buf_grow(&b, 1000);
    assert_true(b.cap >= 1001);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_buf_printf_lengths(void **state)
{
    (void)state;
    /* Formatted pieces of every length 0..700 appended after prefixes of
     * every length around the initial capacity, compared with snprintf:
     * exercises the "did not fit, grow and format again" path at each
     * boundary. */
    char piece[701], xs[301];
    memset(piece, 'p', 700);
    piece[700] = 0;
    memset(xs, 'x', 300);
    xs[300] = 0;
    for (int pre = 0; pre < 300; pre += 7) {
        for (int n = 0; n <= 700; n += 13) {
            struct buf b;
            buf_init(&b);
            for (int i = 0; i < pre; i++)
                buf_putc(&b, 'x');
            buf_printf(&b, "%.*s|%d", n, piece, n);
            char want[1100];
            snprintf(want, sizeof want, "%.*s%.*s|%d", pre, xs, n, piece, n);
            assert_string_equal(b.data, want);
            assert_int_equal(b.len, strlen(want));
            buf_free(&b);
        }
    }

    /* An empty format leaves the buffer empty but valid. */
    struct buf e;
    buf_init(&e);
    buf_printf(&e, "%s", "");
    assert_int_equal(e.len, 0);
    assert_string_equal(e.data, "");
    buf_free(&e);
}

static void test_buf_steal(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    size_t len = 99;
    char *s = buf_steal(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);

    buf_puts(&b, "hello");
    s = buf_steal(&b, &len);
    assert_string_equal(s, "hello");
    assert_int_equal(len, 5);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(s);

    buf_puts(&b, "again");
    s = buf_steal(&b, NULL);
    assert_string_equal(s, "again");
    free(s);
}

/* ---- the JSON writer ---------------------------------------------------- */

static void test_json_writer(void **state)
{
    (void)state;
    /* Every byte below 0x20, the two that JSON escapes, and UTF-8 text. */
    char awkward[64];
    size_t k = 0;
    for (int c = 1; c < 0x20; c++)
        awkward[k++] = (char)c;
    strcpy(awkward + k, "\"\\/ 工会 ü");

    struct buf b;
    buf_init(&b);
    jw_open(&b, NULL, '[');
    jw_open(&b, NULL, '{');
    jw_int(&b, "id", 42);
    jw_int(&b, "min", INT64_MIN);
    jw_int(&b, "max", INT64_MAX);
    jw_str(&b, "none", NULL);
    jw_int(&b, "some", -7);
    jw_str(&b, "text", awkward);
    jw_str(&b, "null", NULL);
    jw_str(&b, "empty", "");
    /* Cut in the middle of 工 (e5 b7 a5), and a lone continuation byte. */
    jw_str(&b, "cut", "a\xe5\xb7");
    jw_str(&b, "stray", "\x80" "b");
    jw_str(&b, "hex", "007fabff");
    jw_open(&b, "list", '[');
    jw_close(&b, ']');
    jw_open(&b, "obj", '{');
    jw_str(&b, "a:b", "c");
    jw_close(&b, '}');
    jw_close(&b, '}');
    jw_open(&b, NULL, '{');
    jw_close(&b, '}');
    jw_str(&b, NULL, "");
    jw_int(&b, NULL, 0);
    jw_close(&b, ']');
    assert_int_equal(strlen(b.data), b.len);

    json_error_t e;
    json_t *j = json_loads(b.data, 0, &e);
    assert_non_null(j);
    assert_int_equal(json_array_size(j), 4);
    json_t *o = json_array_get(j, 0);
    assert_int_equal(json_object_size(o), 13);
    assert_int_equal(json_integer_value(json_object_get(o, "id")), 42);
    assert_true(json_integer_value(json_object_get(o, "min")) == INT64_MIN);
    assert_true(json_integer_value(json_object_get(o, "max")) == INT64_MAX);
    assert_true(json_is_null(json_object_get(o, "none")));
    assert_int_equal(json_integer_value(json_object_get(o, "some")), -7);
    assert_string_equal(json_string_value(json_object_get(o, "text")), awkward);
    assert_true(json_is_null(json_object_get(o, "null")));
    assert_string_equal(json_string_value(json_object_get(o, "empty")), "");
    assert_string_equal(json_string_value(json_object_get(o, "cut")), "a\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(o, "stray")), "\xef\xbf\xbd" "b");
    assert_string_equal(json_string_value(json_object_get(o, "hex")), "007fabff");
    assert_int_equal(json_array_size(json_object_get(o, "list")), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "obj"), "a:b")),
                        "c");
    assert_int_equal(json_object_size(json_array_get(j, 1)), 0);
    assert_string_equal(json_string_value(json_array_get(j, 2)), "");
    assert_int_equal(json_integer_value(json_array_get(j, 3)), 0);
    json_decref(j);
    /* Control characters go out as \u escapes, never raw. */
    for (size_t i = 0; i < b.len; i++)
        assert_true((unsigned char)b.data[i] >= 0x20);
    buf_free(&b);
}

/* ---- ub_strlcpy -------------------------------------------------------- */

static void test_strlcpy(void **state)
{
    (void)state;
    char d[8];

    memset(d, '#', sizeof d);
    assert_true(ub_strlcpy(d, "abc", sizeof d));
    assert_string_equal(d, "abc");

    /* Exactly fits: 7 chars + NUL. */
    assert_true(ub_strlcpy(d, "abcdefg", sizeof d));
    assert_string_equal(d, "abcdefg");

    /* One too many: truncated, still terminated, reported. */
    assert_false(ub_strlcpy(d, "abcdefgh", sizeof d));
    assert_string_equal(d, "abcdefg");
    assert_false(ub_strlcpy(d, "a much longer string", sizeof d));
    assert_string_equal(d, "a much ");

    assert_true(ub_strlcpy(d, "", sizeof d));
    assert_string_equal(d, "");

    /* Size 1: only the terminator fits. */
    memset(d, '#', sizeof d);
    assert_false(ub_strlcpy(d, "x", 1));
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], '#');
    assert_true(ub_strlcpy(d, "", 1));
    assert_int_equal(d[0], 0);

    /* Size 0: dst is not touched. */
    memset(d, '#', sizeof d);
    assert_false(ub_strlcpy(d, "x", 0));
    assert_true(ub_strlcpy(d, "", 0));
    assert_int_equal(d[0], '#');
}

/* ---- ub_utf8_text / ub_utf8_len ---------------------------------------- */

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(ub_utf8_text("", false));
    assert_true(ub_utf8_text("plain ASCII ~!@#$%^&*()", false));
    assert_true(ub_utf8_text("tab\there", false));
    assert_true(ub_utf8_text("上海市总工会", false));
    assert_true(ub_utf8_text("caf\xc3\xa9", false));             /* é */
    assert_true(ub_utf8_text("\xc2\xa0", false));                /* U+00A0 */
    assert_true(ub_utf8_text("\xdf\xbf", false));                /* U+07FF */
    assert_true(ub_utf8_text("\xe0\xa0\x80", false));            /* U+0800, smallest 3-byte */
    assert_true(ub_utf8_text("\xed\x9f\xbf", false));            /* U+D7FF, below surrogates */
    assert_true(ub_utf8_text("\xee\x80\x80", false));            /* U+E000, above surrogates */
    assert_true(ub_utf8_text("\xef\xbf\xbd", false));            /* U+FFFD */
    assert_true(ub_utf8_text("\xf0\x90\x80\x80", false));        /* U+10000, smallest 4-byte */
    assert_true(ub_utf8_text("\xf0\x9f\x98\x80", false));        /* 😀 */
    assert_true(ub_utf8_text("\xf4\x8f\xbf\xbf", false));        /* U+10FFFF, the last */
}

static void test_utf8_overlong(void **state)
{
    (void)state;
    /* Overlong forms of '/', NUL and the largest code point each shorter
     * form could hold. */
    assert_false(ub_utf8_text("\xc0\xaf", false));
    assert_false(ub_utf8_text("\xc0\x80", false));
    assert_false(ub_utf8_text("\xc1\xbf", false));               /* U+007F in 2 bytes */
    assert_false(ub_utf8_text("\xe0\x80\xaf", false));
    assert_false(ub_utf8_text("\xe0\x80\x80", false));
    assert_false(ub_utf8_text("\xe0\x9f\xbf", false));           /* U+07FF in 3 bytes */
    assert_false(ub_utf8_text("\xf0\x80\x80\xaf", false));
    assert_false(ub_utf8_text("\xf0\x8f\xbf\xbf", false));       /* U+FFFF in 4 bytes */
    /* Inside otherwise valid text. */
    assert_false(ub_utf8_text("ok \xc0\xaf ok", true));
}

static void test_utf8_surrogates_and_range(void **state)
{
    (void)state;
    assert_false(ub_utf8_text("\xed\xa0\x80", false));           /* U+D800 */
    assert_false(ub_utf8_text("\xed\xad\xbf", false));           /* U+DB7F */
    assert_false(ub_utf8_text("\xed\xb0\x80", false));           /* U+DC00 */
    assert_false(ub_utf8_text("\xed\xbf\xbf", false));           /* U+DFFF */
    /* A CESU-8 surrogate pair for U+1F600. */
    assert_false(ub_utf8_text("\xed\xa0\xbd\xed\xb8\x80", false));
    /* Beyond U+10FFFF. */
    assert_false(ub_utf8_text("\xf4\x90\x80\x80", false));
    assert_false(ub_utf8_text("\xf5\x80\x80\x80", false));
    assert_false(ub_utf8_text("\xf7\xbf\xbf\xbf", false));
    /* 5- and 6-byte forms, and bytes never used in UTF-8. */
    assert_false(ub_utf8_text("\xf8\x88\x80\x80\x80", false));
    assert_false(ub_utf8_text("\xfc\x84\x80\x80\x80\x80", false));
    assert_false(ub_utf8_text("\xfe", false));
    assert_false(ub_utf8_text("\xff", false));
}

static void test_utf8_malformed(void **state)
{
    (void)state;
    /* Lone continuation bytes. */
    assert_false(ub_utf8_text("\x80", false));
    assert_false(ub_utf8_text("a\xbf", false));
    /* Truncated sequences, at the end and before other text (the reader
     * must stop at the NUL, never read past it). */
    assert_false(ub_utf8_text("\xe4\xb8", false));
    assert_false(ub_utf8_text("\xe4", false));
    assert_false(ub_utf8_text("\xf0\x9f\x98", false));
    assert_false(ub_utf8_text("\xe4\xb8" "a", false));
    assert_false(ub_utf8_text("\xc3" "A", false));
    /* Latin-1 and GBK bytes are not UTF-8. */
    assert_false(ub_utf8_text("caf\xe9", false));
    assert_false(ub_utf8_text("\xc9\xcf\xba\xa3", false));       /* "上海" in GBK */
}

static void test_utf8_controls(void **state)
{
    (void)state;
    char s[4];
    for (int c = 1; c < 0x20; c++) {
        snprintf(s, sizeof s, "a%cb", c);
        if (c == '\t') {
            assert_true(ub_utf8_text(s, false));
            assert_true(ub_utf8_text(s, true));
        } else if (c == '\n' || c == '\r') {
            assert_false(ub_utf8_text(s, false));
            assert_true(ub_utf8_text(s, true));
        } else {
            if (ub_utf8_text(s, false) || ub_utf8_text(s, true))
                fail_msg("control 0x%02x accepted", c);
        }
    }
    assert_false(ub_utf8_text("a\x7f" "b", false));
    assert_false(ub_utf8_text("a\x7f" "b", true));
    assert_true(ub_utf8_text("line 1\r\nline 2\n", true));
    assert_false(ub_utf8_text("line 1\r\nline 2\n", false));
    assert_false(ub_utf8_text("\x1b[31mred", true));
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(ub_utf8_len(""), 0);
    assert_int_equal(ub_utf8_len("abc"), 3);
    assert_int_equal(ub_utf8_len("上海市"), 3);
    assert_int_equal(ub_utf8_len("a\xc3\xa9z"), 3);
    assert_int_equal(ub_utf8_len("\xf0\x9f\x98\x80!"), 2);
    assert_int_equal(ub_utf8_len("\xf4\x8f\xbf\xbf"), 1);
    /* 100 CJK characters are 300 bytes but 100 code points. */
    char s[301];
    for (int i = 0; i < 100; i++)
        memcpy(s + 3 * i, "中", 3);
    s[300] = 0;
    assert_int_equal(strlen(s), 300);
    assert_int_equal(ub_utf8_len(s), 100);
}

/* ---- ub_parse_i64 ------------------------------------------------------ */

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(ub_parse_i64("0", &v));
    assert_int_equal(v, 0);
    assert_true(ub_parse_i64("42", &v));
    assert_int_equal(v, 42);
    assert_true(ub_parse_i64("-42", &v));
    assert_int_equal(v, -42);
    assert_true(ub_parse_i64("-0", &v));
    assert_int_equal(v, 0);
    assert_true(ub_parse_i64("007", &v));
    assert_int_equal(v, 7);
    assert_true(ub_parse_i64("9223372036854775807", &v));
    assert_true(v == INT64_MAX);
    assert_true(ub_parse_i64("-9223372036854775808", &v));
    assert_true(v == INT64_MIN);

    /* Failures leave *out alone. */
    v = 12345;
    assert_false(ub_parse_i64("9223372036854775808", &v));
    assert_false(ub_parse_i64("-9223372036854775809", &v));
    assert_false(ub_parse_i64("99999999999999999999999", &v));
    assert_false(ub_parse_i64(NULL, &v));
    assert_false(ub_parse_i64("", &v));
    assert_false(ub_parse_i64("-", &v));
    assert_false(ub_parse_i64("+", &v));
    assert_false(ub_parse_i64("abc", &v));
    assert_false(ub_parse_i64("12a", &v));
    assert_false(ub_parse_i64("12 ", &v));
    assert_false(ub_parse_i64("1.5", &v));
    assert_false(ub_parse_i64("1e3", &v));
    assert_false(ub_parse_i64("0x10", &v));
    assert_false(ub_parse_i64(" ", &v));
    assert_false(ub_parse_i64("--1", &v));
    assert_int_equal(v, 12345);
}

/* ---- time -------------------------------------------------------------- */

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void test_iso_time(void **state)
{
    (void)state;
    char out[32];

    set_tz("Asia/Shanghai");
    ub_iso_time(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01T08:00:00+08:00");
    ub_iso_time(1716782400, out, sizeof out);           /* 2024-05-27T04:00:00Z */
    assert_string_equal(out, "2024-05-27T12:00:00+08:00");
    ub_iso_time(1704038399, out, sizeof out);           /* 2023-12-31T15:59:59Z */
    assert_string_equal(out, "2023-12-31T23:59:59+08:00");

    set_tz("UTC");
    ub_iso_time(1716782400, out, sizeof out);
    assert_string_equal(out, "2024-05-27T04:00:00+00:00");

    /* Negative and half-hour offsets (POSIX TZ strings need no tzdata). */
    set_tz("EST5");
    ub_iso_time(1704067200, out, sizeof out);           /* 2024-01-01T00:00:00Z */
    assert_string_equal(out, "2023-12-31T19:00:00-05:00");
    set_tz("IST-5:30");
    ub_iso_time(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01T05:30:00+05:30");

    /* A short buffer is truncated, never overrun. */
    set_tz("Asia/Shanghai");
    char small[11];
    memset(small, '#', sizeof small);
    ub_iso_time(0, small, 10);
    assert_string_equal(small, "1970-01-0");
    assert_int_equal(small[10], '#');

    unsetenv("TZ");
    tzset();
}

static void test_parse_iso_time(void **state)
{
    (void)state;
    int64_t t;
    set_tz("Asia/Shanghai");
    assert_true(ub_parse_iso_time("2024-05-27T12:00:00+08:00", &t));
    assert_int_equal(t, 1716782400);
    assert_true(ub_parse_iso_time("2024-05-27T04:00:00Z", &t));
    assert_int_equal(t, 1716782400);
    assert_true(ub_parse_iso_time("2024-05-26T23:00-05:00", &t));
    assert_int_equal(t, 1716782400);
    assert_true(ub_parse_iso_time("2024-05-27 12:00", &t));         /* the server's zone */
    assert_int_equal(t, 1716782400);
    assert_true(ub_parse_iso_time("2024-02-29T00:00:00Z", &t));     /* a leap day */
    assert_int_equal(t, 1709164800);
    assert_true(ub_parse_iso_time("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    static const char *const bad[] = {
        "", "2024-05-27", "2024-05-27T", "2024-05-27T24:00Z", "2024-05-27T12:60Z",
        "2024-02-30T00:00Z", "2023-02-29T00:00Z", "2024-13-01T00:00Z", "2024-05-27T12:00:61Z",
        "2024-05-27T12:00:00+0800", "2024-05-27T12:00:00+08:00x", "2024-05-27T12:00:00 Z",
        "24-05-27T12:00Z", "2024-5-27T12:00Z", "２０２４-05-27T12:00Z",
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(bad); i++)
        assert_false(ub_parse_iso_time(bad[i], &t));
    assert_false(ub_parse_iso_time(NULL, &t));

    int y, m, d;
    assert_true(ub_parse_date("2025-05-27", &y, &m, &d));
    assert_int_equal(y * 10000 + m * 100 + d, 20250527);
    assert_true(ub_parse_date("2000-02-29", &y, &m, &d));
    assert_false(ub_parse_date("1900-02-29", &y, &m, &d));
    assert_false(ub_parse_date("2025-04-31", &y, &m, &d));
    assert_false(ub_parse_date("2025-05-27x", &y, &m, &d));
    assert_false(ub_parse_date("1899-12-31", &y, &m, &d));

    char day[11];
    ub_local_date(1716825599, day);                                 /* 23:59:59 there */
    assert_string_equal(day, "2024-05-27");
    ub_local_date(1716825600, day);
    assert_string_equal(day, "2024-05-28");
    unsetenv("TZ");
    tzset();
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t t0 = ub_now();
    assert_true(t0 > 1700000000);                       /* after 2023 */
    assert_true(llabs(t0 - (int64_t)time(NULL)) <= 1);
    uint64_t m0 = ub_mono_ns();
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    uint64_t m1 = ub_mono_ns();
    assert_true(m1 > m0);
    assert_true(m1 - m0 >= 2000000);
}

/* ---- allocation helpers ------------------------------------------------ */

static void test_xalloc(void **state)
{
    (void)state;
    assert_null(xstrdup(NULL));
    char *s = xstrdup("工会");
    assert_string_equal(s, "工会");
    free(s);
    /* Zero sizes still give a pointer that can be freed. */
    void *p = xmalloc(0);
    assert_non_null(p);
    p = xrealloc(p, 0);
    assert_non_null(p);
    free(p);
    int *z = xcalloc(100, sizeof *z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    z = xrealloc(z, 1000 * sizeof *z);
    assert_int_equal(z[99], 0);
    free(z);
}

static void test_body_cache(void **state)
{
    (void)state;
    struct body_cache *c = body_cache_new(4, 3600ull * 1000000000u);
    struct buf b;
    buf_init(&b);
    assert_false(body_cache_get(c, "tok1", 7, &b));
    body_cache_put(c, "tok1", 7, "<p>one</p>", 10);
    assert_true(body_cache_get(c, "tok1", 7, &b));
    assert_string_equal(b.data, "<p>one</p>");
    /* A committed change (a new generation) or another key misses. */
    assert_false(body_cache_get(c, "tok1", 8, &b));
    assert_false(body_cache_get(c, "tok2", 7, &b));
    /* A newer body for the same key replaces the old one. */
    body_cache_put(c, "tok1", 8, "<p>two</p>", 10);
    buf_reset(&b);
    assert_true(body_cache_get(c, "tok1", 8, &b));
    assert_string_equal(b.data, "<p>two</p>");
    /* Keys too long to keep are not kept. */
    char longkey[80];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = 0;
    body_cache_put(c, longkey, 8, "x", 1);
    assert_false(body_cache_get(c, longkey, 8, &b));
    body_cache_free(c);
    /* An entry outlives its time to live by nothing. */
    c = body_cache_new(4, 0);
    body_cache_put(c, "tok1", 1, "x", 1);
    assert_false(body_cache_get(c, "tok1", 1, &b));
    body_cache_free(c);
    body_cache_free(NULL);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment_and_distinct),
        cmocka_unit_test(test_arena_small_allocations_are_contiguous),
        cmocka_unit_test(test_arena_big_one_off_keeps_small_block),
        cmocka_unit_test(test_arena_fill_block_exactly),
        cmocka_unit_test(test_arena_zalloc),
        cmocka_unit_test(test_arena_spare_blocks),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_buf_basics),
        cmocka_unit_test(test_buf_base64),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_printf_lengths),
        cmocka_unit_test(test_buf_steal),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_overlong),
        cmocka_unit_test(test_utf8_surrogates_and_range),
        cmocka_unit_test(test_utf8_malformed),
        cmocka_unit_test(test_utf8_controls),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_parse_iso_time),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_xalloc),
        cmocka_unit_test(test_body_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
