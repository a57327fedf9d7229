/*
 * test_domain.c: cmocka unit tests for the domain rules over a real
 * temporary SQLite database: roles and subtree scoping (src/domain/actor.c,
 * including sibling paths that share text such as "/1/2/" and "/1/23/"),
 * the org tree (src/domain/org.c: code and name validation, level ranks,
 * unions as leaves, duplicate codes, roots only by a whole-tree admin,
 * federation staff confined to their subtree), employers
 * (src/domain/employer.c: USCC check digit and override, duplicates,
 * headcount bounds), staff accounts (src/domain/staff.c: validation, who may
 * create whom, sign-in, rate limiting, tokens, sign-out) and the audit log
 * (src/domain/audit.c: one entry per write, none for a refused write, and
 * the table refuses UPDATE and DELETE), joins taken as a set
 * (src/domain/join.c: one application per person, within a set and
 * across sets, and none for a member; each join routed to its employer's
 * own union inside the token's subtree) and giveaway claims taken as a set
 * (src/domain/giveaway.c: double taps, the stock running out, a set
 * undone, and the taps on a sold-out one refused from memory).
 *
 * Argon2id hashing costs ~0.1 s, so the staff tests hash 16 times in all.
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
#include "domain/giveaway.h"
#include "domain/idcard.h"
#include "domain/member.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "domain/uscc.h"
#include "lib/crypto.h"
#include "store/store.h"

/* ---- fixture: a fresh, migrated database per test ----------------------- */

struct fx {
    char dir[64];
    struct store *s;
    struct db *db;
    struct actor cli;
};

static int remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[400];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    return rmdir(dir);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char url[128], err[256];
    snprintf(f->dir, sizeof f->dir, "/tmp/ub-test-domain-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(url, sizeof url, "sqlite:%s/ub.db", f->dir);
    f->s = store_open(url, true, err, sizeof err);
    if (!f->s || store_migrate(f->s) != 0)
        return -1;
    f->db = store_acquire(f->s);
    if (!f->db)
        return -1;
    actor_cli(&f->cli);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_release(f->s, f->db);
    store_close(f->s);
    int rc = remove_dir(f->dir);
    free(f);
    return rc;
}

static int group_setup(void **state)
{
    (void)state;
    return crypto_init();
}

/* ---- helpers ----------------------------------------------------------- */

static int64_t audit_count(struct db *db)
{
    struct db_stmt *st = db_run(db, "SELECT count(*) FROM audit_log", "");
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_i64(st, 0);
    db_done(st);
    return n;
}

/* Fails unless the connection is outside any transaction (a BEGIN inside
 * one would fail). */
static void assert_no_tx(struct db *db)
{
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_rollback(db), DB_OK);
}

/* Fills a for a staff member with role r bound to org o. */
static void scoped(struct actor *a, enum role r, const struct org_rec *o, const char *login)
{
    memset(a, 0, sizeof *a);
    a->user_id = 1000 + o->id;
    ub_strlcpy(a->login, login, sizeof a->login);
    a->role = r;
    a->org_id = o->id;
    ub_strlcpy(a->org_code, o->code, sizeof a->org_code);
    ub_strlcpy(a->org_path, o->path, sizeof a->org_path);
    ub_strlcpy(a->addr, "192.0.2.1", sizeof a->addr);
}

/* Creates an org and returns it; fails the test on error. */
static struct org_rec mk_org(struct fx *f, const struct actor *a, const char *code,
                             const char *level, const char *parent)
{
    struct org_input in = {.code = code, .name = code, .level = level, .parent = parent};
    struct org_rec o;
    struct ub_err err;
    if (org_create(f->db, a, &in, &o, &err) != 0)
        fail_msg("org_create(%s): %d %s %s", code, err.kind, err.code, err.msg);
    return o;
}

/* Runs org_create expecting failure; returns the error. */
static struct ub_err org_fails(struct fx *f, const struct actor *a, const char *code,
                               const char *name, const char *level, const char *parent)
{
    struct org_input in = {.code = code, .name = name, .level = level, .parent = parent};
    struct org_rec o;
    struct ub_err err;
    memset(&err, 0, sizeof err);
    int64_t before = audit_count(f->db);
    assert_int_equal(org_create(f->db, a, &in, &o, &err), -1);
    assert_int_equal(audit_count(f->db), before);
    assert_no_tx(f->db);
    return err;
}

static void assert_err(const struct ub_err *e, int kind, const char *code, const char *field)
{
    if (e->kind != kind || strcmp(e->code, code) != 0
        || (field && strcmp(e->field, field) != 0))
        fail_msg("want %d %s [%s], got %d %s [%s] (%s)", kind, code, field ? field : "*",
                 e->kind, e->code, e->field, e->msg);
    assert_true(e->msg[0] != 0);
}

/* ---- actors ------------------------------------------------------------ */

static void test_roles_and_cli(void **state)
{
    (void)state;
    assert_int_equal(role_parse("admin"), ROLE_ADMIN);
    assert_int_equal(role_parse("federation"), ROLE_FEDERATION);
    assert_int_equal(role_parse("union"), ROLE_UNION);
    assert_int_equal(role_parse("viewer"), ROLE_VIEWER);
    assert_int_equal(role_parse("Admin"), ROLE_NONE);
    assert_int_equal(role_parse(""), ROLE_NONE);
    assert_int_equal(role_parse(NULL), ROLE_NONE);
    for (int r = ROLE_ADMIN; r < ROLE_NONE; r++) {
        assert_int_equal(role_parse(role_name((enum role)r)), r);
        assert_true(role_label((enum role)r)[0] != 0);
    }
    assert_string_equal(role_name(ROLE_NONE), "none");
    assert_string_equal(role_label(ROLE_NONE), "");

    struct actor a;
    memset(&a, 0x5a, sizeof a);
    actor_cli(&a);
    assert_int_equal(a.role, ROLE_ADMIN);
    assert_int_equal(a.user_id, 0);
    assert_int_equal(a.org_id, 0);
    assert_string_equal(a.org_path, "");
    assert_string_equal(a.login, "cli");
    assert_string_equal(a.addr, "cli");
    assert_string_equal(a.session, "");
}

static void test_actor_covers_and_may(void **state)
{
    (void)state;
    struct org_rec o = {.id = 2};
    ub_strlcpy(o.code, "T2", sizeof o.code);
    ub_strlcpy(o.path, "/1/2/", sizeof o.path);
    struct actor a;
    scoped(&a, ROLE_FEDERATION, &o, "fed");

    assert_true(actor_covers(&a, "/1/2/"));
    assert_true(actor_covers(&a, "/1/2/5/"));
    assert_true(actor_covers(&a, "/1/2/5/77/"));
    /* Text prefixes that are not path prefixes. */
    assert_false(actor_covers(&a, "/1/23/"));
    assert_false(actor_covers(&a, "/1/20/"));
    assert_false(actor_covers(&a, "/1/2"));
    assert_false(actor_covers(&a, "/12/"));
    /* Ancestors and strangers. */
    assert_false(actor_covers(&a, "/1/"));
    assert_false(actor_covers(&a, "/3/2/"));
    assert_false(actor_covers(&a, ""));

    struct actor cli;
    actor_cli(&cli);
    assert_true(actor_covers(&cli, "/1/"));
    assert_true(actor_covers(&cli, "/1/23/"));
    assert_true(actor_covers(&cli, ""));

    /* Permission matrix inside the subtree. */
    static const struct {
        enum role r;
        bool read, write, manage;
    } m[] = {
        {ROLE_ADMIN, true, true, true},
        {ROLE_FEDERATION, true, true, true},
        {ROLE_UNION, true, true, false},
        {ROLE_VIEWER, true, false, false},
    };
    struct ub_err err;
    for (size_t i = 0; i < UB_ARRAY_LEN(m); i++) {
        a.role = m[i].r;
        assert_int_equal(actor_may(&a, PERM_READ, "/1/2/9/", &err), m[i].read ? 0 : -1);
        assert_int_equal(actor_may(&a, PERM_WRITE, "/1/2/9/", &err), m[i].write ? 0 : -1);
        memset(&err, 0, sizeof err);
        assert_int_equal(actor_may(&a, PERM_MANAGE, "/1/2/", &err), m[i].manage ? 0 : -1);
        if (!m[i].manage)
            assert_err(&err, UB_EFORBID, "forbidden", "");
        /* Outside the subtree nothing is allowed, whatever the role. */
        for (int p = PERM_READ; p <= PERM_MANAGE; p++) {
            memset(&err, 0, sizeof err);
            assert_int_equal(actor_may(&a, (enum perm)p, "/1/23/", &err), -1);
            assert_err(&err, UB_EFORBID, "forbidden", "");
        }
    }
    assert_int_equal(actor_may(&cli, PERM_MANAGE, "/9/8/7/", &err), 0);
}

/* ---- orgs -------------------------------------------------------------- */

static void test_org_code_and_level_helpers(void **state)
{
    (void)state;
    assert_true(org_code_valid("a"));
    assert_true(org_code_valid("BJ-MY.t_01"));
    assert_true(org_code_valid("0123456789abcdefghijABCDEFGHIJ._"));     /* 32 */
    assert_false(org_code_valid("0123456789abcdefghijABCDEFGHIJ._-"));   /* 33 */
    assert_false(org_code_valid(""));
    assert_false(org_code_valid(NULL));
    assert_false(org_code_valid("a b"));
    assert_false(org_code_valid("a/b"));
    assert_false(org_code_valid("a:b"));
    assert_false(org_code_valid("a%b"));
    assert_false(org_code_valid("密云"));
    assert_false(org_code_valid("a\n"));

    assert_int_equal(org_level_rank("city"), 0);
    assert_int_equal(org_level_rank("district"), 1);
    assert_int_equal(org_level_rank("town"), 2);
    assert_int_equal(org_level_rank("union"), 3);
    assert_int_equal(org_level_rank("joint"), 3);
    assert_int_equal(org_level_rank("street"), -1);
    assert_int_equal(org_level_rank("City"), -1);
    assert_int_equal(org_level_rank(NULL), -1);
    assert_string_equal(org_level_label("district"), "区总工会");
    assert_string_equal(org_level_label("nope"), "");
}

static void test_org_create_validation(void **state)
{
    struct fx *f = *state;
    struct actor *cli = &f->cli;
    struct ub_err e;

    e = org_fails(f, cli, NULL, "n", "city", NULL);
    assert_err(&e, UB_EINVALID, "missing_field", "code");
    e = org_fails(f, cli, "", "n", "city", NULL);
    assert_err(&e, UB_EINVALID, "missing_field", "code");
    e = org_fails(f, cli, "bad code", "n", "city", NULL);
    assert_err(&e, UB_EINVALID, "invalid_code", "code");
    e = org_fails(f, cli, "0123456789abcdefghijABCDEFGHIJ._-", "n", "city", NULL);
    assert_err(&e, UB_EINVALID, "invalid_code", "code");

    e = org_fails(f, cli, "C", NULL, "city", NULL);
    assert_err(&e, UB_EINVALID, "missing_field", "name");
    e = org_fails(f, cli, "C", "", "city", NULL);
    assert_err(&e, UB_EINVALID, "missing_field", "name");
    e = org_fails(f, cli, "C", "  \t ", "city", NULL);
    assert_err(&e, UB_EINVALID, "missing_field", "name");
    e = org_fails(f, cli, "C", "two\nlines", "city", NULL);
    assert_err(&e, UB_EINVALID, "invalid_text", "name");
    e = org_fails(f, cli, "C", "bad \xc0\xaf utf8", "city", NULL);
    assert_err(&e, UB_EINVALID, "invalid_text", "name");
    char name[400];
    memset(name, 'n', 101);
    name[101] = 0;
    e = org_fails(f, cli, "C", name, "city", NULL);
    assert_err(&e, UB_EINVALID, "too_long", "name");
    /* 101 Chinese characters: counted in characters, not bytes. */
    for (int i = 0; i < 101; i++)
        memcpy(name + 3 * i, "工", 3);
    name[303] = 0;
    e = org_fails(f, cli, "C", name, "city", NULL);
    assert_err(&e, UB_EINVALID, "too_long", "name");

    e = org_fails(f, cli, "C", "n", "planet", NULL);
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "C", "n", NULL, NULL);
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "C", "n", "town", "NOPE");
    assert_err(&e, UB_EINVALID, "parent_not_found", "parent");
    assert_int_equal(audit_count(f->db), 0);

    /* 100 characters exactly is fine (ASCII: no byte limit involved). */
    memset(name, 'n', 100);
    name[100] = 0;
    struct org_input in = {.code = "C", .name = name, .level = "city", .parent = ""};
    struct org_rec o;
    assert_int_equal(org_create(f->db, cli, &in, &o, &e), 0);
    assert_string_equal(o.name, name);
    assert_string_equal(o.parent_code, "");
    assert_int_equal(o.parent_id, 0);
    assert_int_equal(audit_count(f->db), 1);
}

static void test_org_level_ranks(void **state)
{
    struct fx *f = *state;
    struct actor *cli = &f->cli;
    struct org_rec c = mk_org(f, cli, "C", "city", NULL);
    struct org_rec d = mk_org(f, cli, "D", "district", "C");
    struct org_rec t = mk_org(f, cli, "T", "town", "D");
    struct org_rec tc = mk_org(f, cli, "TC", "town", "C");      /* no district between */
    struct org_rec u = mk_org(f, cli, "U", "union", "T");
    struct org_rec j = mk_org(f, cli, "J", "joint", "T");
    struct org_rec ud = mk_org(f, cli, "UD", "union", "D");
    mk_org(f, cli, "UC", "union", "C");
    assert_int_equal(audit_count(f->db), 8);

    assert_int_equal(c.depth, 0);
    assert_int_equal(d.depth, 1);
    assert_int_equal(t.depth, 2);
    assert_int_equal(u.depth, 3);
    assert_int_equal(tc.depth, 1);
    assert_int_equal(ud.depth, 2);
    assert_int_equal(d.parent_id, c.id);
    assert_string_equal(t.parent_code, "D");
    assert_string_equal(j.level, "joint");
    char want[ORG_PATH_MAX + 32];
    snprintf(want, sizeof want, "%s%lld/", t.path, (long long)u.id);
    assert_string_equal(u.path, want);

    struct ub_err e;
    /* A district under a town, and every other non-descending pair. */
    e = org_fails(f, cli, "X", "x", "district", "T");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "X", "x", "district", "D");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "X", "x", "city", "D");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "X", "x", "city", "C");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "X", "x", "town", "T");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    e = org_fails(f, cli, "X", "x", "town", "TC");
    assert_err(&e, UB_EINVALID, "invalid_level", "level");
    /* Unions and joint unions are leaves. */
    static const char *const levels[] = {"city", "district", "town", "union", "joint"};
    for (size_t i = 0; i < UB_ARRAY_LEN(levels); i++) {
        e = org_fails(f, cli, "X", "x", levels[i], "U");
        assert_err(&e, UB_EINVALID, "invalid_level", "level");
        e = org_fails(f, cli, "X", "x", levels[i], "J");
        assert_err(&e, UB_EINVALID, "invalid_level", "level");
    }
    assert_int_equal(audit_count(f->db), 8);

    struct org_rec o;
    assert_int_equal(store_org_by_code(f->db, "X", &o), DB_NOTFOUND);
}

static void test_org_duplicate_code(void **state)
{
    struct fx *f = *state;
    struct actor *cli = &f->cli;
    mk_org(f, cli, "C", "city", NULL);
    mk_org(f, cli, "T", "town", "C");
    struct ub_err e = org_fails(f, cli, "T", "another", "town", "C");
    assert_err(&e, UB_ECONFLICT, "org_code_taken", "code");
    e = org_fails(f, cli, "C", "root again", "city", NULL);
    assert_err(&e, UB_ECONFLICT, "org_code_taken", "code");
    e = org_fails(f, cli, "T", "under T", "union", "T");
    assert_err(&e, UB_ECONFLICT, "org_code_taken", "code");
    struct org_rec o;
    assert_int_equal(store_org_by_code(f->db, "T", &o), DB_OK);
    assert_string_equal(o.name, "T");
    int64_t n;
    assert_int_equal(store_org_subtree_count(f->db, "/", &n), DB_OK);
    assert_int_equal(n, 2);
    /* After a refused insert the next one works (and gets the next id). */
    struct org_rec u = mk_org(f, cli, "U", "union", "T");
    assert_int_equal(u.id, 3);
}

static void test_org_root_only_whole_tree_admin(void **state)
{
    struct fx *f = *state;
    struct org_rec c = mk_org(f, &f->cli, "C", "city", NULL);
    struct actor a;
    struct ub_err e;
    static const enum role roles[] = {ROLE_ADMIN, ROLE_FEDERATION, ROLE_UNION, ROLE_VIEWER};
    for (size_t i = 0; i < UB_ARRAY_LEN(roles); i++) {
        /* Bound to the root org itself, even an admin may not add roots. */
        scoped(&a, roles[i], &c, "staff");
        e = org_fails(f, &a, "R2", "root", "city", NULL);
        assert_err(&e, UB_EFORBID, "forbidden", "");
        e = org_fails(f, &a, "R2", "root", "city", "");
        assert_err(&e, UB_EFORBID, "forbidden", "");
    }
    /* A whole-tree account that is not an admin. */
    actor_cli(&a);
    a.role = ROLE_FEDERATION;
    e = org_fails(f, &a, "R2", "root", "city", NULL);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    /* The whole-tree admin may; a scoped admin may add below its org. */
    mk_org(f, &f->cli, "R2", "city", NULL);
    scoped(&a, ROLE_ADMIN, &c, "admin2");
    mk_org(f, &a, "D", "district", "C");
    /* Union and viewer staff may not create anything. */
    scoped(&a, ROLE_UNION, &c, "u");
    e = org_fails(f, &a, "D2", "d", "district", "C");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    scoped(&a, ROLE_VIEWER, &c, "v");
    e = org_fails(f, &a, "D2", "d", "district", "C");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(audit_count(f->db), 3);
}

/*
 * Builds city C (id 1), town T2 (id 2, path "/1/2/") with twenty unions
 * (ids 3..22) and town T23 (id 23, path "/1/23/"), so that one town's path
 * is a text prefix of its sibling's.
 */
static void build_prefix_siblings(struct fx *f, struct org_rec *c, struct org_rec *t2,
                                  struct org_rec *t23)
{
    *c = mk_org(f, &f->cli, "C", "city", NULL);
    *t2 = mk_org(f, &f->cli, "T2", "town", "C");
    for (int i = 3; i <= 22; i++) {
        char code[16];
        snprintf(code, sizeof code, "U%d", i);
        struct org_rec u = mk_org(f, &f->cli, code, "union", "T2");
        assert_int_equal(u.id, i);
    }
    *t23 = mk_org(f, &f->cli, "T23", "town", "C");
    assert_string_equal(c->path, "/1/");
    assert_string_equal(t2->path, "/1/2/");
    assert_string_equal(t23->path, "/1/23/");
}

struct codes {
    char s[512];
};

static int collect_codes(void *ud, const struct org_rec *o)
{
    struct codes *b = ud;
    size_t n = strlen(b->s);
    snprintf(b->s + n, sizeof b->s - n, "%s%s", n ? "," : "", o->code);
    return 0;
}

static void test_scoping_prefix_siblings(void **state)
{
    struct fx *f = *state;
    struct org_rec c, t2, t23;
    build_prefix_siblings(f, &c, &t2, &t23);
    struct actor fed2, fed23, uni2;
    scoped(&fed2, ROLE_FEDERATION, &t2, "fed2");
    scoped(&fed23, ROLE_FEDERATION, &t23, "fed23");
    scoped(&uni2, ROLE_UNION, &t2, "uni2");

    assert_true(actor_covers(&fed2, t2.path));
    assert_true(actor_covers(&fed2, "/1/2/7/"));
    assert_false(actor_covers(&fed2, t23.path));
    assert_false(actor_covers(&fed2, c.path));
    assert_true(actor_covers(&fed23, t23.path));
    assert_false(actor_covers(&fed23, t2.path));

    struct ub_err e;
    /* The town federation cannot create under the other town, nor beside
     * itself under the city. */
    e = org_fails(f, &fed2, "X", "x", "union", "T23");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    e = org_fails(f, &fed2, "X", "x", "town", "C");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    e = org_fails(f, &fed23, "X", "x", "union", "T2");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    e = org_fails(f, &fed23, "X", "x", "union", "U5");
    assert_err(&e, UB_EFORBID, "forbidden", "");
    /* ...but can under its own. */
    struct org_rec x = mk_org(f, &fed2, "X", "union", "T2");
    struct org_rec y = mk_org(f, &fed23, "Y", "union", "T23");

    /* Reading. */
    struct org_rec o;
    memset(&e, 0, sizeof e);
    assert_int_equal(org_get(f->db, &fed2, "T23", &o, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_get(f->db, &fed2, "Y", &o, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_get(f->db, &fed2, "C", &o, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_get(f->db, &fed2, "T2", &o, &e), 0);
    assert_int_equal(org_get(f->db, &fed2, "X", &o, &e), 0);
    assert_int_equal(org_get(f->db, &uni2, "U9", &o, &e), 0);
    assert_int_equal(org_get(f->db, &fed2, "NOPE", &o, &e), -1);
    assert_err(&e, UB_ENOTFOUND, "org_not_found", "");
    assert_int_equal(org_get(f->db, &fed2, "bad code", &o, &e), -1);
    assert_err(&e, UB_ENOTFOUND, "org_not_found", "");

    /* Children: a scoped account's top is its own org. */
    struct codes got = {""};
    assert_int_equal(org_children(f->db, &fed2, NULL, NULL, 1000, collect_codes, &got, &e), 0);
    assert_string_equal(got.s, "T2");
    got.s[0] = 0;
    assert_int_equal(org_children(f->db, &f->cli, NULL, NULL, 1000, collect_codes, &got, &e), 0);
    assert_string_equal(got.s, "C");
    got.s[0] = 0;
    assert_int_equal(org_children(f->db, &f->cli, "C", NULL, 1000, collect_codes, &got, &e), 0);
    assert_string_equal(got.s, "T2,T23");
    assert_int_equal(org_children(f->db, &fed2, "C", NULL, 1000, collect_codes, &got, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_children(f->db, &fed2, "T23", NULL, 1000, collect_codes, &got, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");

    /* Renaming. */
    assert_int_equal(org_rename(f->db, &fed2, "T23", "被改名", &o, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_rename(f->db, &uni2, "T2", "被改名", &o, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(org_rename(f->db, &fed2, "X", "新名字", &o, &e), 0);
    assert_string_equal(o.name, "新名字");
    assert_int_equal(org_rename(f->db, &fed2, "X", "", &o, &e), -1);
    assert_err(&e, UB_EINVALID, "missing_field", "name");
    assert_no_tx(f->db);

    /* Subtree sizes: T2 has itself, 20 unions and X; T23 itself and Y. */
    int64_t n;
    assert_int_equal(store_org_subtree_count(f->db, t2.path, &n), DB_OK);
    assert_int_equal(n, 22);
    assert_int_equal(store_org_subtree_count(f->db, t23.path, &n), DB_OK);
    assert_int_equal(n, 2);
    (void)x;
    (void)y;

    /* Employers follow the same scoping. */
    struct employer_input in = {.name = "二镇企业", .headcount = 5, .org = "T23"};
    struct employer_rec emp23, emp2;
    assert_int_equal(employer_create(f->db, &fed2, &in, &emp23, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_no_tx(f->db);
    assert_int_equal(employer_create(f->db, &f->cli, &in, &emp23, &e), 0);
    in.org = "U7";
    in.name = "七号企业";
    assert_int_equal(employer_create(f->db, &fed2, &in, &emp2, &e), 0);
    struct employer_rec g;
    assert_int_equal(employer_get(f->db, &fed2, emp23.id, &g, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(employer_get(f->db, &fed2, emp2.id, &g, &e), 0);
    assert_int_equal(employer_get(f->db, &fed23, emp23.id, &g, &e), 0);
    assert_int_equal(employer_get(f->db, &fed2, 999999, &g, &e), -1);
    assert_err(&e, UB_ENOTFOUND, "employer_not_found", "");
    struct employer_input upd = {.headcount = 9};
    assert_int_equal(employer_update(f->db, &fed2, emp23.id, &upd, &g, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_no_tx(f->db);
}

struct emp_ids {
    int n;
    int64_t id[16];
};

static int collect_emp(void *ud, const struct employer_rec *e)
{
    struct emp_ids *x = ud;
    if (x->n < 16)
        x->id[x->n++] = e->id;
    return 0;
}

static void test_employer_list_scoping(void **state)
{
    struct fx *f = *state;
    struct org_rec c, t2, t23;
    build_prefix_siblings(f, &c, &t2, &t23);
    struct employer_input in = {.name = "甲", .headcount = -1, .org = "T2"};
    struct employer_rec a, b, d;
    struct ub_err e;
    assert_int_equal(employer_create(f->db, &f->cli, &in, &a, &e), 0);
    in.name = "乙";
    in.org = "T23";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &b, &e), 0);
    in.name = "丙";
    in.org = "U3";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &d, &e), 0);

    struct actor fed2;
    scoped(&fed2, ROLE_FEDERATION, &t2, "fed2");
    struct emp_ids ids = {0};
    assert_int_equal(employer_list(f->db, &fed2, NULL, NULL, 0, 100, collect_emp, &ids, &e), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.id[0], a.id);
    assert_int_equal(ids.id[1], d.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(employer_list(f->db, &f->cli, NULL, NULL, 0, 100, collect_emp, &ids, &e),
                     0);
    assert_int_equal(ids.n, 3);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(employer_list(f->db, &fed2, "U3", NULL, 0, 100, collect_emp, &ids, &e), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.id[0], d.id);
    assert_int_equal(employer_list(f->db, &fed2, "T23", NULL, 0, 100, collect_emp, &ids, &e),
                     -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(employer_list(f->db, &fed2, NULL, NULL, 0, 0, collect_emp, &ids, &e), -1);
    assert_err(&e, UB_EBAD, "invalid_limit", "limit");
    assert_int_equal(employer_list(f->db, &fed2, NULL, NULL, 0, 1001, collect_emp, &ids, &e),
                     -1);
    assert_err(&e, UB_EBAD, "invalid_limit", "limit");
    memset(&ids, 0, sizeof ids);
    assert_int_equal(employer_list(f->db, &fed2, NULL, "丙", 0, 1000, collect_emp, &ids, &e), 0);
    assert_int_equal(ids.n, 1);
}

/* ---- employers --------------------------------------------------------- */

/* Runs employer_create expecting failure, checking nothing was written. */
static struct ub_err employer_fails(struct fx *f, const struct actor *a,
                                    const struct employer_input *in)
{
    struct employer_rec out;
    struct ub_err err;
    memset(&err, 0, sizeof err);
    int64_t before = audit_count(f->db);
    assert_int_equal(employer_create(f->db, a, in, &out, &err), -1);
    assert_int_equal(audit_count(f->db), before);
    assert_no_tx(f->db);
    return err;
}

static void test_employer_uscc(void **state)
{
    struct fx *f = *state;
    mk_org(f, &f->cli, "C", "city", NULL);
    mk_org(f, &f->cli, "T", "town", "C");
    int64_t audits = audit_count(f->db);
    struct ub_err e;
    struct employer_rec out, g;

    /* A bad check character is refused... */
    struct employer_input in = {.name = "甲公司", .uscc = "91310110666007217X",
                                .headcount = 10, .org = "T"};
    e = employer_fails(f, &f->cli, &in);
    assert_int_equal(e.kind, 422);
    assert_err(&e, UB_EINVALID, "uscc_checksum", "uscc");

    /* ...unless staff give a reason, which is kept and audited. */
    in.uscc_override = "早期代码，经市场监管局核实";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);
    assert_string_equal(out.uscc, "91310110666007217X");
    assert_string_equal(out.uscc_override, "早期代码，经市场监管局核实");
    assert_int_equal(store_employer_by_id(f->db, out.id, &g), DB_OK);
    assert_string_equal(g.uscc, "91310110666007217X");
    assert_string_equal(g.uscc_override, "早期代码，经市场监管局核实");
    struct db_stmt *st = db_run(f->db, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1", "");
    assert_int_equal(db_step(st), DB_ROW);
    assert_non_null(strstr(db_text(st, 0), "\"uscc_override\":\"早期代码"));
    db_done(st);

    /* The override only covers the check character. */
    in.uscc = "9131011066600721";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "uscc_length", "uscc");
    in.uscc = "9131011066600721IT";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "uscc_chars", "uscc");
    /* And must itself be proper text of at most 80 characters. */
    in.uscc = "91110000MA01A7RH2X";
    in.uscc_override = "bad\x01reason";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "invalid_text", "uscc_override");
    char reason[200];
    memset(reason, 'r', 81);
    reason[81] = 0;
    in.uscc_override = reason;
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "too_long", "uscc_override");

    /* A valid code, given in lower case, is stored upper case; a reason
     * given with it is not needed and not kept. */
    in.uscc = "91110000ma01a7rh2r";
    in.uscc_override = "not needed";
    in.name = "乙公司";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);
    assert_string_equal(out.uscc, "91110000MA01A7RH2R");
    assert_string_equal(out.uscc_override, "");

    /* Duplicates, whatever the case, and overridden ones too. */
    in.uscc = "91110000MA01A7RH2R";
    in.uscc_override = NULL;
    in.name = "丙公司";
    e = employer_fails(f, &f->cli, &in);
    assert_int_equal(e.kind, 409);
    assert_err(&e, UB_ECONFLICT, "uscc_taken", "uscc");
    in.uscc = "91110000ma01a7rh2r";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_ECONFLICT, "uscc_taken", "uscc");
    in.uscc = "91310110666007217X";
    in.uscc_override = "again";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_ECONFLICT, "uscc_taken", "uscc");

    /* No code at all, twice. */
    in.uscc = NULL;
    in.uscc_override = NULL;
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_string_equal(out.uscc, "");
    in.uscc = "";
    in.name = "丁公司";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    audits += 2;
    assert_int_equal(audit_count(f->db), audits);

    /* Updating to a code another employer has. */
    struct employer_input upd = {.uscc = "91110000MA01A7RH2R", .headcount = -1};
    assert_int_equal(employer_update(f->db, &f->cli, out.id, &upd, &g, &e), -1);
    assert_err(&e, UB_ECONFLICT, "uscc_taken", "uscc");
    assert_no_tx(f->db);
    assert_int_equal(audit_count(f->db), audits);
    /* Updating to its own code (or a fresh one) is fine and audited. */
    char fresh[19] = "91310000MA1FL0000";
    fresh[17] = uscc_check_char(fresh);
    fresh[18] = 0;
    upd.uscc = fresh;
    assert_int_equal(employer_update(f->db, &f->cli, out.id, &upd, &g, &e), 0);
    assert_string_equal(g.uscc, fresh);
    assert_int_equal(audit_count(f->db), ++audits);
    assert_int_equal(employer_update(f->db, &f->cli, out.id, &upd, &g, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);
}

static void test_employer_fields(void **state)
{
    struct fx *f = *state;
    struct org_rec c = mk_org(f, &f->cli, "C", "city", NULL);
    struct org_rec t = mk_org(f, &f->cli, "T", "town", "C");
    struct ub_err e;
    struct employer_rec out, g;
    struct employer_input in = {.name = "甲", .headcount = -1, .org = "T"};

    /* Headcount: -1 means not given (0), bounds 0..10,000,000. */
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(out.headcount, 0);
    assert_int_equal(out.org_id, t.id);
    assert_string_equal(out.org_code, "T");
    assert_string_equal(out.org_path, t.path);
    assert_string_equal(out.union_status, "none");
    in.headcount = 0;
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    in.headcount = EMPLOYER_HEADCOUNT_MAX;
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(store_employer_by_id(f->db, out.id, &g), DB_OK);
    assert_int_equal(g.headcount, 10000000);
    static const int64_t bad_counts[] = {EMPLOYER_HEADCOUNT_MAX + 1, -2, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < UB_ARRAY_LEN(bad_counts); i++) {
        in.headcount = bad_counts[i];
        e = employer_fails(f, &f->cli, &in);
        assert_err(&e, UB_EINVALID, "invalid_headcount", "headcount");
    }
    in.headcount = 3;

    /* Name, org, address, legal representative. */
    in.name = NULL;
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "missing_field", "name");
    char s[400];
    memset(s, 'n', 101);
    s[101] = 0;
    in.name = s;
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "too_long", "name");
    in.name = "甲";
    in.org = NULL;
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "missing_field", "org");
    in.org = "NOPE";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "org_not_found", "org");
    in.org = "T";
    memset(s, 'a', 121);
    s[121] = 0;
    in.address = s;
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "too_long", "address");
    in.address = "tab\tok";
    in.legal_rep = "一二三四五六七八九十一二三四五六七八九十一";        /* 21 */
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "too_long", "legal_rep");
    in.legal_rep = "李\n四";
    e = employer_fails(f, &f->cli, &in);
    assert_err(&e, UB_EINVALID, "invalid_text", "legal_rep");
    in.legal_rep = "李四";
    assert_int_equal(employer_create(f->db, &f->cli, &in, &out, &e), 0);
    assert_int_equal(store_employer_by_id(f->db, out.id, &g), DB_OK);
    assert_string_equal(g.address, "tab\tok");
    assert_string_equal(g.legal_rep, "李四");

    /* Only admin and federation staff create employers. */
    struct actor a;
    scoped(&a, ROLE_UNION, &c, "u");
    e = employer_fails(f, &a, &in);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    scoped(&a, ROLE_VIEWER, &c, "v");
    e = employer_fails(f, &a, &in);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    scoped(&a, ROLE_FEDERATION, &c, "f");
    assert_int_equal(employer_create(f->db, &a, &in, &out, &e), 0);

    /* A partial update changes only what is given. */
    struct employer_input upd = {.headcount = 42};
    assert_int_equal(employer_update(f->db, &a, out.id, &upd, &g, &e), 0);
    assert_int_equal(g.headcount, 42);
    assert_string_equal(g.name, "甲");
    assert_string_equal(g.legal_rep, "李四");
    assert_int_equal(store_employer_by_id(f->db, out.id, &g), DB_OK);
    assert_int_equal(g.headcount, 42);
    assert_string_equal(g.address, "tab\tok");
    upd.headcount = -5;
    assert_int_equal(employer_update(f->db, &a, out.id, &upd, &g, &e), -1);
    assert_err(&e, UB_EINVALID, "invalid_headcount", "headcount");
    assert_no_tx(f->db);
}

/* ---- staff ------------------------------------------------------------- */

static void test_staff_add(void **state)
{
    struct fx *f = *state;
    mk_org(f, &f->cli, "C", "city", NULL);
    struct org_rec t2 = mk_org(f, &f->cli, "T2", "town", "C");
    mk_org(f, &f->cli, "T3", "town", "C");
    struct user_rec u;
    struct ub_err e;
    int64_t audits = audit_count(f->db);
    const char *pw = "correct horse battery";

    /* Refusals before any hashing. */
    char l64[65], l65[66];
    memset(l64, 'a', 64);
    l64[64] = 0;
    memset(l65, 'b', 65);
    l65[65] = 0;
    const char *const bad_logins[] = {"", "bad login", "中文", "a/b", "a:b", l65};
    for (size_t i = 0; i < UB_ARRAY_LEN(bad_logins); i++) {
        assert_int_equal(staff_add(f->db, &f->cli, bad_logins[i], pw, "union", "T2", &u, &e),
                         -1);
        assert_err(&e, UB_EINVALID, "invalid_login", "login");
    }
    assert_true(staff_login_valid("a.b_c-d@example.org"));
    assert_true(staff_login_valid(l64));
    assert_false(staff_login_valid(NULL));
    assert_int_equal(staff_add(f->db, &f->cli, "x", pw, "root", "T2", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "invalid_role", "role");
    assert_int_equal(staff_add(f->db, &f->cli, "x", "short", "union", "T2", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "weak_password", "password");
    assert_int_equal(staff_add(f->db, &f->cli, "x", "123456789", "union", "T2", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "weak_password", "password");
    assert_int_equal(staff_add(f->db, &f->cli, "x", NULL, "union", "T2", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "weak_password", "password");
    assert_int_equal(staff_add(f->db, &f->cli, "x", "0123456789\x01", "union", "T2", &u, &e),
                     -1);
    assert_err(&e, UB_EINVALID, "invalid_password", "password");
    char longpw[300];
    memset(longpw, 'p', 257);
    longpw[257] = 0;
    assert_int_equal(staff_add(f->db, &f->cli, "x", longpw, "union", "T2", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "invalid_password", "password");
    assert_int_equal(staff_add(f->db, &f->cli, "x", pw, "union", "NOPE", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "org_not_found", "org");
    assert_int_equal(staff_add(f->db, &f->cli, "x", pw, "union", NULL, &u, &e), -1);
    assert_err(&e, UB_EINVALID, "missing_field", "org");
    assert_int_equal(staff_add(f->db, &f->cli, "x", pw, "federation", "", &u, &e), -1);
    assert_err(&e, UB_EINVALID, "missing_field", "org");

    /* Who may create whom. */
    struct actor fed2, uni2, adm2;
    scoped(&fed2, ROLE_FEDERATION, &t2, "fed2");
    scoped(&uni2, ROLE_UNION, &t2, "uni2");
    scoped(&adm2, ROLE_ADMIN, &t2, "adm2");
    assert_int_equal(staff_add(f->db, &fed2, "x", pw, "admin", "T2", &u, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(staff_add(f->db, &fed2, "x", pw, "union", "T3", &u, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(staff_add(f->db, &fed2, "x", pw, "union", "C", &u, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(staff_add(f->db, &uni2, "x", pw, "viewer", "T2", &u, &e), -1);
    assert_err(&e, UB_EFORBID, "forbidden", "");
    assert_int_equal(staff_add(f->db, &adm2, "x", pw, "admin", NULL, &u, &e), -1);
    assert_err(&e, UB_EINVALID, "missing_field", "org");
    assert_int_equal(audit_count(f->db), audits);
    assert_no_tx(f->db);

    /* Hashes 1-4. */
    assert_int_equal(staff_add(f->db, &f->cli, "alice", pw, "federation", "T2", &u, &e), 0);
    assert_true(u.id > 0);
    assert_string_equal(u.role, "federation");
    assert_string_equal(u.org_code, "T2");
    assert_string_equal(u.org_path, t2.path);
    assert_int_equal(strncmp(u.pw_hash, "$argon2id$", 10), 0);
    assert_int_equal(audit_count(f->db), ++audits);

    assert_int_equal(staff_add(f->db, &fed2, "bob", pw, "union", "T2", &u, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);

    assert_int_equal(staff_add(f->db, &f->cli, "alice", pw, "viewer", "T3", &u, &e), -1);
    assert_err(&e, UB_ECONFLICT, "login_taken", "login");
    assert_int_equal(audit_count(f->db), audits);
    assert_no_tx(f->db);

    assert_int_equal(staff_add(f->db, &f->cli, "root2", pw, "admin", NULL, &u, &e), 0);
    assert_int_equal(u.org_id, 0);
    assert_int_equal(audit_count(f->db), ++audits);

    struct user_rec r;
    assert_int_equal(store_user_by_login(f->db, "alice", &r), DB_OK);
    assert_string_equal(r.role, "federation");
    assert_int_equal(r.org_id, t2.id);
    assert_int_equal(store_user_by_login(f->db, "root2", &r), DB_OK);
    assert_string_equal(r.org_path, "");
    /* The audit entry names the actor. */
    struct db_stmt *st = db_run(f->db,
        "SELECT login, action, object_id, COALESCE(user_id, 0) FROM audit_log "
        "WHERE object_id = 'bob'", "");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "fed2");
    assert_string_equal(db_text(st, 1), "user.create");
    assert_int_equal(db_i64(st, 3), fed2.user_id);
    db_done(st);
}

static void test_staff_login_and_sessions(void **state)
{
    struct fx *f = *state;
    mk_org(f, &f->cli, "C", "city", NULL);
    struct org_rec t = mk_org(f, &f->cli, "T", "town", "C");
    struct user_rec u;
    struct ub_err e;
    struct staff_session s;
    const char *pw = "carol's long password";

    assert_int_equal(staff_add(f->db, &f->cli, "carol", pw, "union", "T", &u, &e), 0);   /* 1 */
    int64_t audits = audit_count(f->db);

    /* Missing fields: no hashing, no audit. */
    assert_int_equal(staff_login(f->db, "carol", "", "198.51.100.1", &s, &e), -1);
    assert_err(&e, UB_EBAD, "missing_field", "");
    assert_int_equal(staff_login(f->db, NULL, pw, "198.51.100.1", &s, &e), -1);
    assert_err(&e, UB_EBAD, "missing_field", "");
    assert_int_equal(audit_count(f->db), audits);

    /* Wrong password. */
    assert_int_equal(staff_login(f->db, "carol", "wrong password", "198.51.100.1", &s, &e),
                     -1);                                                               /* 2 */
    assert_int_equal(e.kind, 401);
    assert_err(&e, UB_EAUTH, "bad_credentials", "");
    assert_string_equal(s.token, "");
    assert_int_equal(audit_count(f->db), ++audits);
    assert_no_tx(f->db);
    int64_t n, since, now = ub_now();
    assert_int_equal(store_rate_get(f->db, "login:acct:carol", now, STAFF_RATE_WINDOW, &n, &since),
                     DB_OK);
    assert_int_equal(n, 1);

    /* Right password: a session, and the account's failures forgotten. */
    assert_int_equal(staff_login(f->db, "carol", pw, "198.51.100.1", &s, &e), 0);       /* 3 */
    assert_int_equal(audit_count(f->db), ++audits);
    assert_no_tx(f->db);
    assert_int_equal(strlen(s.token), CRYPTO_TOKEN_LEN);
    assert_int_equal(strlen(s.csrf), 32);
    assert_true(s.expires_at >= now + STAFF_SESSION_TTL
                && s.expires_at <= ub_now() + STAFF_SESSION_TTL);
    assert_string_equal(s.user.login, "carol");
    assert_int_equal(store_rate_get(f->db, "login:acct:carol", now, STAFF_RATE_WINDOW, &n, &since),
                     DB_OK);
    assert_int_equal(n, 0);

    /* Only the digest is stored. */
    char digest[CRYPTO_DIGEST_HEX + 1];
    crypto_digest_hex(s.token, digest);
    struct db_stmt *st = db_run(f->db,
        "SELECT (SELECT count(*) FROM sessions WHERE digest = $1), "
        "(SELECT count(*) FROM sessions WHERE digest = $2)", "ss", s.token, digest);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), 0);
    assert_int_equal(db_i64(st, 1), 1);
    db_done(st);

    /* The token authenticates as carol. */
    struct actor a;
    assert_int_equal(staff_authenticate(f->db, s.token, "203.0.113.9", &a, &e), 0);
    assert_int_equal(a.user_id, s.user.id);
    assert_string_equal(a.login, "carol");
    assert_int_equal(a.role, ROLE_UNION);
    assert_int_equal(a.org_id, t.id);
    assert_string_equal(a.org_code, "T");
    assert_string_equal(a.org_path, t.path);
    assert_string_equal(a.addr, "203.0.113.9");
    assert_string_equal(a.session, digest);
    assert_string_equal(a.csrf, s.csrf);

    /* Other tokens do not. */
    char other[CRYPTO_TOKEN_LEN + 1];
    crypto_token(other);
    struct actor b;
    assert_int_equal(staff_authenticate(f->db, other, "x", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");
    assert_int_equal(staff_authenticate(f->db, NULL, "x", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");
    assert_int_equal(staff_authenticate(f->db, "short", "x", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");
    assert_int_equal(staff_authenticate(f->db, digest, "x", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");

    /* Sign out: the token stops working. */
    assert_int_equal(staff_logout(f->db, &a, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);
    assert_no_tx(f->db);
    assert_int_equal(staff_authenticate(f->db, s.token, "203.0.113.9", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");

    /* A script token (no expiry) for carol, made by the CLI. */
    struct staff_session tok;
    assert_int_equal(staff_token_create(f->db, &f->cli, "carol", &tok, &e), 0);
    assert_int_equal(audit_count(f->db), ++audits);
    assert_int_equal(tok.expires_at, 0);
    assert_int_equal(staff_authenticate(f->db, tok.token, "x", &b, &e), 0);
    assert_string_equal(b.login, "carol");
    assert_int_equal(staff_token_create(f->db, &f->cli, "nobody", &tok, &e), -1);
    assert_err(&e, UB_ENOTFOUND, "user_not_found", "");

    /* An unknown account fails the same way (and spends a hash). */
    assert_int_equal(staff_login(f->db, "nobody", pw, "198.51.100.1", &s, &e), -1);   /* 4, 5 */
    assert_err(&e, UB_EAUTH, "bad_credentials", "");
    assert_int_equal(audit_count(f->db), ++audits);

    /* A disabled account: no sign-in, and its tokens stop working. */
    assert_int_equal(db_exec_stmt(f->db, "UPDATE users SET disabled = 1 WHERE login = $1",
                                  "s", "carol"), DB_OK);
    assert_int_equal(staff_login(f->db, "carol", pw, "198.51.100.2", &s, &e), -1);      /* 6 */
    assert_err(&e, UB_EAUTH, "bad_credentials", "");
    assert_int_equal(audit_count(f->db), ++audits);
    assert_int_equal(staff_authenticate(f->db, tok.token, "x", &b, &e), -1);
    assert_err(&e, UB_EAUTH, "unauthenticated", "");
    assert_int_equal(staff_token_create(f->db, &f->cli, "carol", &tok, &e), -1);
    assert_err(&e, UB_EINVALID, "user_disabled", "");
}

static void test_staff_rate_limit(void **state)
{
    struct fx *f = *state;
    mk_org(f, &f->cli, "C", "city", NULL);
    struct user_rec u;
    struct ub_err e;
    struct staff_session s;
    const char *pw = "dave's long password";
    assert_int_equal(staff_add(f->db, &f->cli, "dave", pw, "federation", "C", &u, &e), 0); /* 1 */

    int64_t audits = audit_count(f->db);
    for (int i = 1; i <= STAFF_RATE_ACCOUNT; i++) {                                    /* 2-6 */
        memset(&e, 0, sizeof e);
        assert_int_equal(staff_login(f->db, "dave", "not the password", "198.51.100.7", &s,
                                     &e), -1);
        assert_err(&e, UB_EAUTH, "bad_credentials", "");
        assert_int_equal(e.retry_after, 0);
        assert_int_equal(audit_count(f->db), audits + i);
    }
    audits += STAFF_RATE_ACCOUNT;

    /* The sixth failure within the window is refused outright... */
    memset(&e, 0, sizeof e);
    assert_int_equal(staff_login(f->db, "dave", "not the password", "198.51.100.7", &s, &e),
                     -1);
    assert_int_equal(e.kind, 429);
    assert_err(&e, UB_ERATE, "too_many_attempts", "");
    assert_true(e.retry_after > 0);
    assert_true(e.retry_after <= STAFF_RATE_WINDOW);
    assert_no_tx(f->db);
    /* ...as is the right password, from any address. */
    memset(&e, 0, sizeof e);
    assert_int_equal(staff_login(f->db, "dave", pw, "198.51.100.7", &s, &e), -1);
    assert_err(&e, UB_ERATE, "too_many_attempts", "");
    assert_true(e.retry_after > 0);
    assert_int_equal(staff_login(f->db, "dave", pw, "203.0.113.50", &s, &e), -1);
    assert_err(&e, UB_ERATE, "too_many_attempts", "");
    assert_string_equal(s.token, "");

    /* The counters themselves: checked directly rather than by waiting
     * out the window. */
    int64_t n, t, now = ub_now();
    assert_int_equal(store_rate_get(f->db, "login:acct:dave", now, STAFF_RATE_WINDOW, &n, &t),
                     DB_OK);
    assert_int_equal(n, STAFF_RATE_ACCOUNT);
    assert_int_equal(store_rate_get(f->db, "login:addr:198.51.100.7", now, STAFF_RATE_WINDOW,
                                    &n, &t), DB_OK);
    assert_int_equal(n, STAFF_RATE_ACCOUNT);
    /* The lock lasts one window from the first failure. */
    assert_int_equal(store_rate_get(f->db, "login:acct:dave", t + STAFF_RATE_WINDOW,
                                    STAFF_RATE_WINDOW, &n, &t), DB_OK);
    assert_int_equal(n, 0);
    (void)audits;
}

/* ---- audit ------------------------------------------------------------- */

struct audit_rows {
    int n;
    struct {
        int64_t user_id, org_id;
        char login[65], action[48], object_type[24], object_id[64], addr[64];
        char detail[256];
    } r[16];
};

static int collect_audit(void *ud, const struct audit_rec *a)
{
    struct audit_rows *x = ud;
    if (x->n < 16) {
        x->r[x->n].user_id = a->user_id;
        x->r[x->n].org_id = a->org_id;
        ub_strlcpy(x->r[x->n].login, a->login, sizeof x->r[x->n].login);
        ub_strlcpy(x->r[x->n].action, a->action, sizeof x->r[x->n].action);
        ub_strlcpy(x->r[x->n].object_type, a->object_type, sizeof x->r[x->n].object_type);
        ub_strlcpy(x->r[x->n].object_id, a->object_id, sizeof x->r[x->n].object_id);
        ub_strlcpy(x->r[x->n].addr, a->addr, sizeof x->r[x->n].addr);
        ub_strlcpy(x->r[x->n].detail, a->detail, sizeof x->r[x->n].detail);
        x->n++;
    }
    return 0;
}

static void test_audit_entries(void **state)
{
    struct fx *f = *state;
    struct org_rec c = mk_org(f, &f->cli, "C", "city", NULL);
    struct org_rec t = mk_org(f, &f->cli, "T", "town", "C");
    struct actor fed;
    scoped(&fed, ROLE_FEDERATION, &t, "fed");
    struct org_rec u = mk_org(f, &fed, "U", "union", "T");
    struct ub_err e;
    struct org_rec o;
    assert_int_equal(org_rename(f->db, &fed, "U", "新名", &o, &e), 0);
    struct employer_input in = {.name = "甲", .uscc = "91310110666007217T", .headcount = 3,
                                .org = "T"};
    struct employer_rec emp, dup;
    assert_int_equal(employer_create(f->db, &fed, &in, &emp, &e), 0);
    /* Refused writes leave no trace. */
    assert_int_equal(employer_create(f->db, &fed, &in, &dup, &e), -1);
    assert_int_equal(audit_count(f->db), 5);

    struct audit_rows x = {0};
    assert_int_equal(store_audit_list(f->db, "", 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 5);
    /* Newest first. */
    assert_string_equal(x.r[4].action, "org.create");
    assert_string_equal(x.r[4].object_type, "org");
    assert_string_equal(x.r[4].object_id, "C");
    assert_string_equal(x.r[4].login, "cli");
    assert_string_equal(x.r[4].addr, "cli");
    assert_int_equal(x.r[4].user_id, 0);
    assert_int_equal(x.r[4].org_id, c.id);
    assert_string_equal(x.r[4].detail, "{\"level\":\"city\",\"name\":\"C\",\"parent\":\"\"}");
    assert_string_equal(x.r[3].detail, "{\"level\":\"town\",\"name\":\"T\",\"parent\":\"C\"}");
    assert_string_equal(x.r[2].action, "org.create");
    assert_string_equal(x.r[2].login, "fed");
    assert_string_equal(x.r[2].addr, "192.0.2.1");
    assert_int_equal(x.r[2].user_id, fed.user_id);
    assert_int_equal(x.r[2].org_id, u.id);
    assert_string_equal(x.r[1].action, "org.rename");
    assert_string_equal(x.r[1].detail, "{\"from\":\"U\",\"to\":\"新名\"}");
    assert_string_equal(x.r[0].action, "employer.create");
    assert_string_equal(x.r[0].object_type, "employer");
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)emp.id);
    assert_string_equal(x.r[0].object_id, id);
    assert_int_equal(x.r[0].org_id, t.id);
    assert_non_null(strstr(x.r[0].detail, "\"uscc\":\"91310110666007217T\""));
    assert_non_null(strstr(x.r[0].detail, "\"headcount\":3"));

    /* Scoped listing: the town sees its own subtree's entries only. */
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, t.path, 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 4);

    /* The table is append-only: UPDATE and DELETE fail in the database. */
    assert_true(db_exec_stmt(f->db, "UPDATE audit_log SET login = 'mallory'", "") < 0);
    assert_true(db_exec_stmt(f->db, "UPDATE audit_log SET detail = '{}' WHERE action = $1",
                             "s", "employer.create") < 0);
    assert_true(db_exec_stmt(f->db, "DELETE FROM audit_log WHERE login = $1", "s", "fed") < 0);
    assert_true(db_exec_stmt(f->db, "DELETE FROM audit_log", "") < 0);
    assert_int_equal(audit_count(f->db), 5);
    struct db_stmt *st = db_run(f->db,
        "SELECT count(*) FROM audit_log WHERE login IN ('cli', 'fed')", "");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), 5);
    db_done(st);

    /* audit_log itself, with and without detail. */
    assert_int_equal(audit_log(f->db, &fed, "test.none", "org", "T", t.id, NULL), DB_OK);
    assert_int_equal(audit_log(f->db, &fed, "test.some", "org", "T", 0,
                               json_pack("{s:i}", "n", 1)), DB_OK);
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, "", 0, 0, 2, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.r[0].detail, "{\"n\":1}");
    assert_int_equal(x.r[0].org_id, 0);
    assert_string_equal(x.r[1].detail, "{}");
}

/* ---- joins as a set ----------------------------------------------------- */

/* An org with code under parent (0: a root). */
static struct org_rec org_under(struct db *db, const char *code, const char *level,
                                int64_t parent)
{
    struct org_rec o;
    memset(&o, 0, sizeof o);
    snprintf(o.code, sizeof o.code, "%s", code);
    snprintf(o.name, sizeof o.name, "%s", code);
    snprintf(o.level, sizeof o.level, "%s", level);
    o.parent_id = parent;
    assert_int_equal(store_org_insert(db, &o), DB_OK);
    return o;
}

/* A vault with a key made of seed. */
static struct vault vault_of(unsigned char seed)
{
    unsigned char key[CRYPTO_KEY_BYTES] = {seed};
    struct vault v;
    vault_init(&v, key);
    return v;
}

/* A join of person k (a valid ID number, born 1990) with token tok,
 * working for employer. */
static void prep_join(const struct vault *v, const char *tok, int k, const char *employer,
                      struct join_req *q)
{
    char body[18], id[19], phone[12];
    snprintf(body, sizeof body, "11010819900101%03d", k);
    snprintf(id, sizeof id, "%s%c", body, idcard_check_char(body));
    snprintf(phone, sizeof phone, "138%08d", k);
    struct join_input in = {.name = "职工", .id_number = id, .phone = phone,
                            .employer_name = employer, .category = "courier",
                            .migrant = -1, .consent_version = JOIN_NOTICE_VERSION};
    memset(q, 0, sizeof *q);
    join_prepare(v, tok, &in, "127.0.0.1", NULL, 0, &q->prep);
}

/* One application per person, decided by the insert itself: the same
 * person twice in a set (the first is recorded), a person with a pending
 * application from an earlier set, and a member. */
static void test_join_sets(void **state)
{
    struct fx *f = *state;
    struct vault v = vault_of(7);
    struct org_rec d = org_under(f->db, "JD", "district", 0);
    struct org_rec o = org_under(f->db, "JS", "union", d.id);
    char tok[JOIN_TOKEN_LEN + 1];
    assert_int_equal(join_token_create(f->db, o.id, 0, tok), DB_OK);

    struct join_req q[4], *p[4] = {&q[0], &q[1], &q[2], &q[3]};
    prep_join(&v, tok, 1, "某快递站", &q[0]);
    prep_join(&v, tok, 2, "某快递站", &q[1]);
    prep_join(&v, tok, 1, "某快递站", &q[2]);
    assert_int_equal(join_commit_many(f->db, &v, p, 3), DB_OK);
    assert_int_equal(q[0].status, 0);
    assert_string_equal(q[0].res.status, "pending");
    assert_int_equal(q[1].status, 0);
    assert_true(q[1].res.application_id > q[0].res.application_id);
    assert_int_equal(q[2].status, -1);
    assert_string_equal(q[2].err.code, "application_pending");
    assert_int_equal(q[2].res.application_id, 0);

    /* Person 2 becomes a member; then 1 (pending), 2 (member) and 3. */
    struct application_rec a;
    struct member_rec m;
    assert_int_equal(store_application_by_id(f->db, q[1].res.application_id, &a), DB_OK);
    assert_int_equal(member_from_application(f->db, &a, &m), DB_OK);
    prep_join(&v, tok, 1, "某快递站", &q[0]);
    prep_join(&v, tok, 2, "某快递站", &q[1]);
    prep_join(&v, tok, 3, "某快递站", &q[2]);
    prep_join(&v, tok, 3, "某快递站", &q[3]);
    assert_int_equal(join_commit_many(f->db, &v, p, 4), DB_OK);
    assert_string_equal(q[0].err.code, "application_pending");
    assert_string_equal(q[1].err.code, "already_member");
    assert_int_equal(q[2].status, 0);
    assert_string_equal(q[3].err.code, "application_pending");
    /* Three, each counted in the union's district. */
    struct db_stmt *st = db_run(f->db, "SELECT count(*), count(DISTINCT id_hash), "
                                "min(district_id), max(district_id) "
                                "FROM applications WHERE org_id = $1", "i", o.id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), 3);
    assert_int_equal(db_i64(st, 1), 3);
    assert_int_equal(db_i64(st, 2), d.id);
    assert_int_equal(db_i64(st, 3), d.id);
    db_done(st);
    /* Their entries in the audit log, in the same district (given by the
     * join, not looked up) and in the union's own subtree. */
    st = db_run(f->db, "SELECT count(*), min(district_id), max(district_id), min(org_id), "
                "max(org_id) FROM audit_log WHERE action = 'application.submit'", "");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), 3);
    assert_int_equal(db_i64(st, 1), d.id);
    assert_int_equal(db_i64(st, 2), d.id);
    assert_int_equal(db_i64(st, 3), o.id);
    assert_int_equal(db_i64(st, 4), o.id);
    db_done(st);
    st = db_run(f->db, "SELECT detail FROM audit_log WHERE action = 'application.submit' "
                "ORDER BY id LIMIT 1", "");
    assert_int_equal(db_step(st), DB_ROW);
    char want[160];
    snprintf(want, sizeof want, "{\"channel\":\"qr\",\"org\":\"%s\",\"source\":\"%s\"}",
             o.code, o.code);
    assert_string_equal(db_text(st, 0), want);
    db_done(st);
}

/* Where the joins of one set go: a named employer with a union of its own
 * in the token's subtree sends its workers there, each of them (the set
 * reads its route once); one without, or one outside the subtree, leaves
 * them at the token's org. */
static void test_join_routes(void **state)
{
    struct fx *f = *state;
    struct vault v = vault_of(9);
    struct org_rec d = org_under(f->db, "RD", "district", 0);
    struct org_rec t = org_under(f->db, "RT", "town", d.id);
    struct org_rec t2 = org_under(f->db, "RT2", "town", d.id);
    struct org_rec u = org_under(f->db, "RU", "union", t.id);
    struct employer_rec e;
    memset(&e, 0, sizeof e);
    snprintf(e.name, sizeof e.name, "有工会的物流公司");
    e.headcount = 80;
    e.org_id = t.id;
    assert_int_equal(store_employer_insert(f->db, &e), DB_OK);
    assert_int_equal(store_employer_set_union(f->db, e.id, "unionised", u.id), DB_OK);
    char tok[JOIN_TOKEN_LEN + 1], tok2[JOIN_TOKEN_LEN + 1];
    assert_int_equal(join_token_create(f->db, t.id, 0, tok), DB_OK);
    assert_int_equal(join_token_create(f->db, t2.id, 0, tok2), DB_OK);

    struct join_req q[5], *p[5] = {&q[0], &q[1], &q[2], &q[3], &q[4]};
    prep_join(&v, tok, 11, "有工会的物流公司", &q[0]);
    prep_join(&v, tok, 12, "某快递站", &q[1]);
    prep_join(&v, tok, 13, "有工会的物流公司", &q[2]);
    prep_join(&v, tok2, 14, "有工会的物流公司", &q[3]);
    prep_join(&v, tok, 15, "有工会的物流公司", &q[4]);
    assert_int_equal(join_commit_many(f->db, &v, p, 5), DB_OK);
    static const char *const want[] = {"RU", "RT", "RU", "RT2", "RU"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(q[i].status, 0);
        assert_string_equal(q[i].res.org_code, want[i]);
        struct application_rec a;
        assert_int_equal(store_application_by_id(f->db, q[i].res.application_id, &a), DB_OK);
        assert_string_equal(a.org_code, want[i]);
        assert_int_equal(a.source_org_id, i == 3 ? t2.id : t.id);
        assert_int_equal(a.p.employer_id, i == 1 || i == 3 ? 0 : e.id);
    }
}

/* ---- giveaway claims as a set ----------------------------------------- */

/* A member of org with a personal token (filled in tok). */
static int64_t add_member(struct db *db, int64_t org_id, int k, char tok[CRYPTO_TOKEN_LEN + 1])
{
    struct member_rec m;
    memset(&m, 0, sizeof m);
    m.org_id = m.source_org_id = org_id;
    snprintf(m.status, sizeof m.status, "active");
    snprintf(m.channel, sizeof m.channel, "qr");
    snprintf(m.p.name, sizeof m.p.name, "会员%d", k);
    m.p.id_hash[0] = (unsigned char)(k + 1);
    snprintf(m.p.category, sizeof m.p.category, "courier");
    crypto_token(tok);
    crypto_digest_hex(tok, m.access_digest);
    m.joined_at = ub_now();
    snprintf(m.joined_on, sizeof m.joined_on, "2025-01-01");
    assert_int_equal(store_member_insert(db, &m), DB_OK);
    return m.id;
}

static int64_t add_giveaway(struct db *db, int64_t org_id, int64_t stock, int64_t stripes)
{
    struct giveaway_rec g;
    memset(&g, 0, sizeof g);
    snprintf(g.name, sizeof g.name, "礼包");
    g.org_id = org_id;
    g.stock = stock;
    g.stripes = stripes;
    g.closes_at = ub_now() + 3600;
    assert_int_equal(store_giveaway_insert(db, &g, 0), DB_OK);
    return g.id;
}

/* Claims for tokens toks[0..n-1] of giveaway gid as one set. */
static void claim_set(struct db *db, struct giveaway_cache *c, int64_t gid,
                      char *const *toks, size_t n, struct giveaway_claim_req *q)
{
    struct giveaway_claim_req *p[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        giveaway_claim_init(&q[i], toks[i], gid, "127.0.0.1");
        p[i] = &q[i];
    }
    assert_int_equal(giveaway_claim_many(db, c, p, n), DB_OK);
}

static void test_giveaway_claim_sets(void **state)
{
    struct fx *f = *state;
    struct org_rec o = org_under(f->db, "GV", "city", 0);
    char a[CRYPTO_TOKEN_LEN + 1], b[CRYPTO_TOKEN_LEN + 1];
    add_member(f->db, o.id, 1, a);
    add_member(f->db, o.id, 2, b);
    struct giveaway_cache *c = giveaway_cache_new();
    struct giveaway_claim_req q[4];

    /* One unit: A wins it; B and B's double tap both find it gone. */
    int64_t one = add_giveaway(f->db, o.id, 1, 1);
    char *set1[] = {a, b, b};
    claim_set(f->db, c, one, set1, 3, q);
    assert_int_equal(q[0].status, 0);
    assert_int_equal(strlen(q[0].code), PICKUP_CODE_LEN);
    assert_string_equal(q[1].err.code, "sold_out");
    assert_string_equal(q[2].err.code, "sold_out");
    /* A again, twice in one set: claimed already, with the code. */
    char *set2[] = {a, a};
    claim_set(f->db, c, one, set2, 2, q + 1);
    assert_string_equal(q[1].err.code, "already_claimed");
    assert_string_equal(q[2].err.code, "already_claimed");
    assert_non_null(strstr(q[2].err.msg, q[0].code));

    /* Two units: B's double tap claims once, the repeat is told B's code. */
    int64_t two = add_giveaway(f->db, o.id, 2, 1);
    char *set3[] = {b, b, a};
    claim_set(f->db, c, two, set3, 3, q);
    assert_int_equal(q[0].status, 0);
    assert_string_equal(q[1].err.code, "already_claimed");
    assert_non_null(strstr(q[1].err.msg, q[0].code));
    assert_int_equal(q[2].status, 0);
    assert_string_not_equal(q[0].code, q[2].code);

    /* A set undone (its batch did not commit) gives its unit back, and
     * its "sold out" is not remembered: the next claim gets the unit. */
    int64_t three = add_giveaway(f->db, o.id, 1, 1);
    assert_int_equal(db_begin(f->db), DB_OK);
    f->db->nested = true;
    char *set4[] = {a, b};
    claim_set(f->db, c, three, set4, 2, q);
    f->db->nested = false;
    assert_int_equal(q[0].status, 0);
    assert_string_equal(q[1].err.code, "sold_out");
    assert_int_equal(db_rollback(f->db), DB_OK);
    char *set5[] = {b};
    claim_set(f->db, c, three, set5, 1, q);
    assert_int_equal(q[0].status, 0);

    /* Stock in two stripes, one set wanting more than a stripe holds:
     * every unit goes, each once, and the rest are told sold out. */
    char d[CRYPTO_TOKEN_LEN + 1], e[CRYPTO_TOKEN_LEN + 1], g[CRYPTO_TOKEN_LEN + 1];
    add_member(f->db, o.id, 3, d);
    add_member(f->db, o.id, 4, e);
    add_member(f->db, o.id, 5, g);
    int64_t striped = add_giveaway(f->db, o.id, 4, 2);
    char *set6[] = {a, b, d, e, g};
    struct giveaway_claim_req q5[5];
    claim_set(f->db, c, striped, set6, 5, q5);
    int won = 0;
    for (int i = 0; i < 5; i++) {
        if (q5[i].status == 0) {
            won++;
            for (int k = 0; k < i; k++)
                assert_string_not_equal(q5[i].code, q5[k].code);
        } else {
            assert_string_equal(q5[i].err.code, "sold_out");
        }
    }
    assert_int_equal(won, 4);

    /* The cache learns "sold out" only from a settled answer that says
     * so; from then on a claim is told so without its unit. */
    int64_t settled = add_giveaway(f->db, o.id, 3, 1);
    char *set7[] = {a};
    claim_set(f->db, c, settled, set7, 1, q);
    assert_int_equal(q[0].status, 0);
    struct ub_err other = {.kind = UB_ECONFLICT, .code = "already_claimed"};
    giveaway_claim_settled(c, settled, 409, &other);
    char *set8[] = {b};
    claim_set(f->db, c, settled, set8, 1, q);
    assert_int_equal(q[0].status, 0);
    struct ub_err gone = {.kind = UB_EGONE, .code = "sold_out"};
    giveaway_claim_settled(c, settled, 410, &gone);
    char *set9[] = {d};
    claim_set(f->db, c, settled, set9, 1, q);
    assert_string_equal(q[0].err.code, "sold_out");
    giveaway_cache_free(c);
}

/* A claim by the holder of tok answered from what c knows, alone. */
static bool known(struct giveaway_cache *c, const char *tok, int64_t gid, struct ub_err *err)
{
    struct giveaway_claim_req q;
    giveaway_claim_init(&q, tok, gid, "127.0.0.1");
    return giveaway_claim_known(c, &q, err);
}

/* The same checked against the database (giveaway_claim_check). */
static int check(struct db *db, struct giveaway_cache *c, const char *tok, int64_t gid,
                 struct ub_err *err)
{
    struct giveaway_claim_req q;
    giveaway_claim_init(&q, tok, gid, "127.0.0.1");
    return giveaway_claim_check(db, c, &q, err);
}

/* Taps on a sold-out giveaway: a member's standing is read once after it
 * sold out (not before, nor from a set not yet settled), then the taps
 * again are refused from memory, the standing as it was read; never a
 * winner's (their code is read each time). */
static void test_giveaway_sold_out_taps(void **state)
{
    struct fx *f = *state;
    struct org_rec o = org_under(f->db, "GT", "city", 0);
    char a[CRYPTO_TOKEN_LEN + 1], b[CRYPTO_TOKEN_LEN + 1], c3[CRYPTO_TOKEN_LEN + 1];
    char nobody[CRYPTO_TOKEN_LEN + 1];
    add_member(f->db, o.id, 1, a);
    int64_t bid = add_member(f->db, o.id, 2, b);
    add_member(f->db, o.id, 3, c3);
    crypto_token(nobody);
    struct giveaway_cache *c = giveaway_cache_new();
    struct giveaway_claim_req q[2];
    struct ub_err err;
    int64_t one = add_giveaway(f->db, o.id, 1, 1);

    assert_true(known(c, "short", one, &err));
    assert_string_equal(err.code, "unauthenticated");
    assert_false(known(c, a, one, &err));
    char *set[] = {a, b};
    claim_set(f->db, c, one, set, 2, q);
    assert_int_equal(q[0].status, 0);
    assert_string_equal(q[1].err.code, "sold_out");
    assert_false(known(c, b, one, &err));      /* not settled yet */
    giveaway_claim_settled(c, one, q[1].status, &q[1].err);
    assert_false(known(c, b, one, &err));      /* read before */

    struct giveaway_claim_req r[2];
    claim_set(f->db, c, one, set, 2, r);
    assert_string_equal(r[0].err.code, "already_claimed");
    assert_string_equal(r[1].err.code, "sold_out");
    assert_int_equal(db_exec_stmt(f->db, "UPDATE members SET status = 'lapsed' WHERE id = $1",
                                  "i", bid), DB_OK);
    assert_true(known(c, b, one, &err));
    assert_string_equal(err.code, "sold_out");                /* as read */
    assert_false(known(c, b, one + 1, &err)); /* another giveaway */
    /* A winner's code is read each time it is shown: a token replaced
     * since must not show it. */
    assert_false(known(c, a, one, &err));

    /* Read alone (SQLite's check on the request's thread): kept too. */
    assert_false(known(c, c3, one, &err));
    assert_int_equal(check(f->db, c, c3, one, &err), -1);
    assert_string_equal(err.code, "sold_out");
    assert_true(known(c, c3, one, &err));
    assert_string_equal(err.code, "sold_out");
    assert_int_equal(check(f->db, c, nobody, one, &err), -1);
    assert_string_equal(err.code, "unauthenticated");
    assert_true(known(c, nobody, one, &err));
    assert_string_equal(err.code, "unauthenticated");
    giveaway_cache_free(c);
}

static void test_tx_helpers(void **state)
{
    struct fx *f = *state;
    struct ub_err e;
    assert_int_equal(tx_begin(f->db, &e), 0);
    /* A second BEGIN inside the transaction is a storage error. */
    memset(&e, 0, sizeof e);
    assert_int_equal(tx_begin(f->db, &e), -1);
    assert_int_equal(e.kind, UB_ESTORE);
    assert_int_equal(tx_fail(f->db, DB_CONFLICT, &e), -1);
    assert_err(&e, UB_ECONFLICT, "conflict", "");
    assert_no_tx(f->db);
    assert_int_equal(tx_commit(f->db, &e), -1);         /* nothing to commit */
    assert_int_equal(e.kind, UB_ESTORE);
    assert_no_tx(f->db);

    assert_int_equal(ub_fail_store(&e, DB_NOTFOUND), -1);
    assert_err(&e, UB_ENOTFOUND, "not_found", "");
    assert_int_equal(ub_fail_store(&e, DB_CONSTRAINT), -1);
    assert_err(&e, UB_EINVALID, "constraint", "");
    assert_int_equal(ub_fail_store(&e, DB_BUSY), -1);
    assert_err(&e, UB_ESTORE, "storage_busy", "");
    assert_int_equal(ub_fail_store(&e, DB_ERROR), -1);
    assert_err(&e, UB_ESTORE, "storage_error", "");
    e.retry_after = 5;
    assert_int_equal(ub_fail_field(&e, UB_EINVALID, "c", "f", "%s-%d", "m", 1), -1);
    assert_err(&e, UB_EINVALID, "c", "f");
    assert_string_equal(e.msg, "m-1");
    assert_int_equal(e.retry_after, 0);
}

int main(void)
{
#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_cli),
        cmocka_unit_test(test_actor_covers_and_may),
        cmocka_unit_test(test_org_code_and_level_helpers),
        FX(test_org_create_validation),
        FX(test_org_level_ranks),
        FX(test_org_duplicate_code),
        FX(test_org_root_only_whole_tree_admin),
        FX(test_scoping_prefix_siblings),
        FX(test_employer_list_scoping),
        FX(test_employer_uscc),
        FX(test_employer_fields),
        FX(test_staff_add),
        FX(test_staff_login_and_sessions),
        FX(test_staff_rate_limit),
        FX(test_audit_entries),
        FX(test_tx_helpers),
        FX(test_join_sets),
        FX(test_join_routes),
        FX(test_giveaway_claim_sets),
        FX(test_giveaway_sold_out_taps),
    };
#undef FX
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
