/*
 * test_regressions.c: cmocka tests for defects found in src/ while writing
 * the unit tests, kept so that they stay fixed:
 *
 *  1. Names are limited in code points but stored in byte buffers that are
 *     too small (src/store/store.h ORG_NAME_MAX / EMPLOYER_NAME_MAX 255,
 *     employer address[256], legal_rep[64], uscc_override[256]): a valid
 *     100-character name with multi-byte characters is silently cut, in the
 *     middle of a character, and the invalid UTF-8 reaches the database
 *     (and makes json_pack fail, so the audit detail is lost as "{}").
 *  2. The append-only audit log can be rewritten with INSERT OR REPLACE:
 *     SQLite fires no DELETE trigger for REPLACE unless recursive_triggers
 *     is on (src/store/sqlite.c, sqlite_open).
 *  3. html_printf reads %jd / %td arguments as int (src/http/html.c).
 *  4. ub_parse_i64 accepts leading white space (src/lib/util.c).
 *  5. ub_utf8_text accepts the C1 control characters U+0080..U+009F
 *     (src/lib/util.c).
 *  6. actor_may lets an unknown role (ROLE_NONE) write (src/domain/actor.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "domain/actor.h"
#include "domain/audit.h"
#include "domain/employer.h"
#include "domain/org.h"
#include "http/html.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "store/store.h"

struct fx {
    char dir[64];
    struct store *s;
    struct db *db;
    struct actor cli;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char url[128], err[256];
    snprintf(f->dir, sizeof f->dir, "/tmp/ub-test-bugs-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(url, sizeof url, "sqlite:%s/ub.db", f->dir);
    f->s = store_open(url, true, err, sizeof err);
    if (!f->s || store_migrate(f->s) != 0)
        return -1;
    f->db = store_acquire(f->s);
    actor_cli(&f->cli);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_release(f->s, f->db);
    store_close(f->s);
    DIR *d = opendir(f->dir);
    if (d) {
        struct dirent *e;
        char p[400];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    int rc = rmdir(f->dir);
    free(f);
    return rc;
}

/* Writes "a" followed by n-1 copies of `ch` (a UTF-8 character) to out. */
static char *mixed_name(char *out, const char *ch, int n)
{
    size_t cl = strlen(ch);
    out[0] = 'a';
    for (int i = 1; i < n; i++)
        memcpy(out + 1 + (size_t)(i - 1) * cl, ch, cl);
    out[1 + (size_t)(n - 1) * cl] = 0;
    return out;
}

/* Bug 1 (orgs): fix by sizing the name buffers for the code-point limit
 * (4 bytes each: ORG_NAME_MAX 400), or by bounding bytes in name_check. */
static void test_org_name_100_chars_stored_whole(void **state)
{
    struct fx *f = *state;
    char name[400];
    mixed_name(name, "中", 100);                        /* 298 bytes */
    assert_int_equal(ub_utf8_len(name), 100);
    struct org_input in = {.code = "C", .name = name, .level = "city"};
    struct org_rec o;
    struct ub_err e;
    assert_int_equal(org_create(f->db, &f->cli, &in, &o, &e), 0);   /* accepted as valid */
    struct org_rec g;
    assert_int_equal(store_org_by_code(f->db, "C", &g), DB_OK);
    assert_true(ub_utf8_text(g.name, false));           /* FAILS: cut mid-character */
    assert_string_equal(g.name, name);
}

/* Bug 1 (audit): the truncated name breaks the audit detail. */
static void test_org_name_audit_detail_kept(void **state)
{
    struct fx *f = *state;
    char name[400];
    mixed_name(name, "中", 100);
    struct org_input in = {.code = "C", .name = name, .level = "city"};
    struct org_rec o;
    struct ub_err e;
    assert_int_equal(org_create(f->db, &f->cli, &in, &o, &e), 0);
    struct db_stmt *st = db_run(f->db, "SELECT detail FROM audit_log", "");
    assert_int_equal(db_step(st), DB_ROW);
    char detail[1024];
    ub_strlcpy(detail, db_text(st, 0), sizeof detail);
    db_done(st);
    assert_string_not_equal(detail, "{}");              /* FAILS: json_pack gave NULL */
}

/* Bug 1 (employers): name 100, address 120, legal_rep 20 characters. */
static void test_employer_text_fields_stored_whole(void **state)
{
    struct fx *f = *state;
    struct org_input oi = {.code = "C", .name = "市", .level = "city"};
    struct org_rec o;
    struct ub_err e;
    assert_int_equal(org_create(f->db, &f->cli, &oi, &o, &e), 0);
    char name[400], addr[500], rep[100];
    mixed_name(name, "企", 100);                        /* 298 bytes > 255 */
    mixed_name(addr, "路", 120);                        /* 358 bytes > 255 */
    mixed_name(rep, "\xf0\xa0\xae\xb7", 20);            /* 𠮷 (U+20BB7), 77 bytes > 63 */
    struct employer_input in = {.name = name, .headcount = 1, .org = "C",
                                .address = addr, .legal_rep = rep};
    struct employer_rec out, g;
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(store_employer_by_id(f->db, out.id, &g), DB_OK);
    assert_string_equal(g.name, name);                  /* FAILS */
    assert_string_equal(g.address, addr);
    assert_string_equal(g.legal_rep, rep);
}

/* Bug 2: fix by adding "PRAGMA recursive_triggers=ON;" to the pragmas in
 * sqlite_open (then REPLACE's implicit delete fires audit_log_no_delete). */
static void test_audit_log_replace_refused(void **state)
{
    struct fx *f = *state;
    struct audit_rec a = {.at = 1, .detail = "{}"};
    ub_strlcpy(a.login, "alice", sizeof a.login);
    ub_strlcpy(a.addr, "x", sizeof a.addr);
    ub_strlcpy(a.action, "org.create", sizeof a.action);
    ub_strlcpy(a.object_type, "org", sizeof a.object_type);
    ub_strlcpy(a.object_id, "C", sizeof a.object_id);
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    int rc = db_exec_stmt(f->db,
        "INSERT OR REPLACE INTO audit_log (id, at, login, addr, action, object_type, "
        "object_id, detail) VALUES (1, 1, 'mallory', 'x', 'nothing', 'org', 'C', '{}')", "");
    struct db_stmt *st = db_run(f->db, "SELECT login FROM audit_log WHERE id = 1", "");
    assert_int_equal(db_step(st), DB_ROW);
    char login[65];
    ub_strlcpy(login, db_text(st, 0), sizeof login);
    db_done(st);
    assert_string_equal(login, "alice");                /* FAILS: now "mallory" */
    assert_true(rc < 0);
}

/* Bug 3: fix in html_printf's integer case: treat "j" as intmax_t and "t"
 * as ptrdiff_t (e.g. `else if (strcmp(len, "j") == 0) buf_printf(b, spec,
 * va_arg(ap, intmax_t));`, likewise for "t"). */
static void test_html_printf_jd(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    html_printf(&b, "%jd|%td|%s", (intmax_t)1 << 40, (ptrdiff_t)1 << 41, "<");
    assert_string_equal(b.data, "1099511627776|2199023255552|&lt;");   /* FAILS */
    buf_free(&b);
}

/* Bug 4: fix by refusing a first character other than a digit or '-'
 * before calling strtoll. */
static void test_parse_i64_leading_space(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_false(ub_parse_i64(" 42", &v));              /* FAILS: accepted as 42 */
    assert_false(ub_parse_i64("\t-1", &v));
    assert_false(ub_parse_i64("\n7", &v));
}

/* Bug 5: fix by adding `|| (cp >= 0x80 && cp <= 0x9f)` to the rejection
 * test after decoding a multi-byte sequence. */
static void test_utf8_text_c1_controls(void **state)
{
    (void)state;
    assert_false(ub_utf8_text("a\xc2\x85" "b", false));  /* U+0085 NEL: FAILS */
    assert_false(ub_utf8_text("\xc2\x80", false));       /* U+0080 */
    assert_false(ub_utf8_text("\xc2\x9b" "31m", true));  /* U+009B CSI */
}

/* Bug 6 (hardening): fix by listing the roles that may write, e.g.
 * `if (a->role == ROLE_VIEWER || a->role == ROLE_NONE) break;`. */
static void test_role_none_cannot_write(void **state)
{
    (void)state;
    struct actor a;
    actor_cli(&a);
    a.role = ROLE_NONE;
    struct ub_err e;
    assert_int_equal(actor_may(&a, PERM_WRITE, "/1/", &e), -1);   /* FAILS */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_org_name_100_chars_stored_whole, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_org_name_audit_detail_kept, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_employer_text_fields_stored_whole, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_audit_log_replace_refused, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(test_html_printf_jd),
        cmocka_unit_test(test_parse_i64_leading_space),
        cmocka_unit_test(test_utf8_text_c1_controls),
        cmocka_unit_test(test_role_none_cannot_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
