/*
 * test_store.c: cmocka unit tests for the store (src/store/) over a real
 * temporary SQLite file: opening and URL errors, migrations (applied once,
 * idempotent, schema version 1, dialect resolved), the connection pool, the
 * db.h binding (and rows for PostgreSQL, as encoded) and error-code mapping, transactions, the org tree's
 * materialised paths (subtree counts checked against a brute-force count
 * on a randomly shaped tree of a few thousand orgs, prefix-sharing sibling
 * paths such as "/1/2/" and "/1/23/"), LIKE escaping in searches,
 * employers, users and sessions, rate-limit windows, the audit log
 * (append-only, scoped listing), the batch writer (a savepoint per job or
 * per set of jobs, one commit per batch, the generation moved on by a committed rename) and
 * online backups.
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
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "store/db.h"
#include "store/store.h"
#include "store/writer.h"

/* ---- fixture: a fresh, migrated database per test ----------------------- */

struct fx {
    char dir[64];
    char url[128];
    struct store *s;
    struct db *db;
};

static int make_dir(struct fx *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/ub-test-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "sqlite:%s/ub.db", f->dir);
    return 0;
}

/* Removes dir and the files in it (the database, its -wal and -shm). */
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
    char err[256];
    if (make_dir(f) != 0)
        return -1;
    f->s = store_open(f->url, true, err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    if (store_migrate(f->s) != 0)
        return -1;
    f->db = store_acquire(f->s);
    if (!f->db)
        return -1;
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

/* Returns the single integer a query yields (sql must be a literal). */
static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st = db_run(db, sql, "");
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_i64(st, 0);
    db_done(st);
    return v;
}

/* Inserts an org and returns it; fails the test on error. */
static struct org_rec add_org(struct db *db, const char *code, const char *level,
                              int64_t parent_id)
{
    struct org_rec o;
    memset(&o, 0, sizeof o);
    ub_strlcpy(o.code, code, sizeof o.code);
    snprintf(o.name, sizeof o.name, "组织 %s", code);
    ub_strlcpy(o.level, level, sizeof o.level);
    o.parent_id = parent_id;
    int rc = store_org_insert(db, &o);
    if (rc != DB_OK)
        fail_msg("store_org_insert(%s) = %d", code, rc);
    return o;
}

/* ---- opening ----------------------------------------------------------- */

static void test_open_errors(void **state)
{
    (void)state;
    char err[256];
    err[0] = 0;
    /* PostgreSQL URLs go to that backend: nothing listens on port 1. */
    assert_null(store_open("postgres://u@127.0.0.1:1/ub", true, err, sizeof err));
    assert_non_null(strstr(err, "PostgreSQL"));
    err[0] = 0;
    assert_null(store_open("postgresql://u@127.0.0.1:1/ub", true, err, sizeof err));
    assert_non_null(strstr(err, "PostgreSQL"));
    err[0] = 0;
    assert_null(store_open("mysql://u@localhost/ub", true, err, sizeof err));
    assert_non_null(strstr(err, "unknown database URL"));
    err[0] = 0;
    assert_null(store_open("sqlite:", true, err, sizeof err));
    assert_non_null(strstr(err, "empty database path"));
    err[0] = 0;
    assert_null(store_open("", true, err, sizeof err));
    assert_true(err[0] != 0);
    err[0] = 0;
    assert_null(store_open("sqlite:/nonexistent-ub-dir/a/b/ub.db", true, err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));
    /* Closing nothing is fine. */
    store_close(NULL);
}

/* ---- migrations -------------------------------------------------------- */

static void test_migrate_once_and_idempotent(void **state)
{
    (void)state;
    struct fx f;
    char err[256];
    assert_int_equal(make_dir(&f), 0);
    struct store *s = store_open(f.url, true, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(store_backend(s), "sqlite");

    /* Before any migration there is no version table. */
    struct db *db = store_acquire(s);
    assert_non_null(db);
    assert_int_equal(store_schema_version(db), -1);
    store_release(s, db);

    int64_t t0 = ub_now();
    assert_int_equal(store_migrate(s), 0);
    db = store_acquire(s);
    assert_int_equal(store_schema_version(db), store_schema_latest());
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"),
                     store_schema_latest());
    int64_t applied = scalar(db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
    assert_true(applied >= t0 && applied <= ub_now());
    store_release(s, db);

    /* Again: nothing to do, nothing changes. */
    assert_int_equal(store_migrate(s), 0);
    assert_int_equal(store_migrate(s), 0);
    db = store_acquire(s);
    assert_int_equal(store_schema_version(db), store_schema_latest());
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"),
                     store_schema_latest());
    assert_int_equal(scalar(db, "SELECT applied_at FROM schema_migrations"), applied);

    /* Every table and both append-only triggers exist; no dialect token or
     * PostgreSQL-only text reached SQLite. */
    assert_int_equal(scalar(db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
        "('orgs', 'employers', 'users', 'sessions', 'rate_limits', 'audit_log', "
        "'schema_migrations')"), 7);
    assert_int_equal(scalar(db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log' "
        "AND name IN ('audit_log_no_update', 'audit_log_no_delete')"), 2);
    assert_int_equal(scalar(db,
        "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%{{%' OR sql LIKE '%plpgsql%'"), 0);
    assert_int_equal(scalar(db,
        "SELECT count(*) FROM sqlite_master WHERE name = 'orgs' "
        "AND sql LIKE '%id%INTEGER PRIMARY KEY%'"), 1);
    assert_int_equal(scalar(db,
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
        "('orgs_parent', 'orgs_path', 'employers_org', 'sessions_user', 'audit_log_org')"), 5);

    /* The connection settings the backend promises. */
    struct db_stmt *st = db_run(db, "PRAGMA journal_mode", "");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "wal");
    db_done(st);
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar(db, "PRAGMA synchronous"), 2);     /* FULL */
    store_release(s, db);
    store_close(s);

    /* Reopened (by bare path this time): still version 1, applied once. */
    char path[128];
    snprintf(path, sizeof path, "%s/ub.db", f.dir);
    s = store_open(path, true, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_migrate(s), 0);
    db = store_acquire(s);
    assert_int_equal(store_schema_version(db), store_schema_latest());
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"),
                     store_schema_latest());
    store_release(s, db);

    /* A second store on the same file migrating at the same time. */
    struct store *s2 = store_open(f.url, true, err, sizeof err);
    assert_non_null(s2);
    assert_int_equal(store_migrate(s2), 0);
    db = store_acquire(s2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"),
                     store_schema_latest());
    store_release(s2, db);
    store_close(s2);
    store_close(s);
    assert_int_equal(remove_dir(f.dir), 0);
}

/* ---- pool -------------------------------------------------------------- */

static void test_pool(void **state)
{
    struct fx *f = *state;
    struct db *a = store_acquire(f->s);
    struct db *b = store_acquire(f->s);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_ptr_not_equal(a, f->db);
    assert_ptr_not_equal(b, f->db);
    store_release(f->s, b);
    /* An idle connection is handed out again rather than a new one. */
    struct db *c = store_acquire(f->s);
    assert_ptr_equal(c, b);
    store_release(f->s, c);
    store_release(f->s, a);
    store_release(f->s, NULL);
    assert_string_equal(db_backend(f->db), "sqlite");

    /* Connections see each other's committed writes. */
    a = store_acquire(f->s);
    add_org(f->db, "POOL", "city", 0);
    struct org_rec o;
    assert_int_equal(store_org_by_code(a, "POOL", &o), DB_OK);
    store_release(f->s, a);
}

static void test_error_count(void **state)
{
    struct fx *f = *state;
    unsigned long e0 = store_error_count(f->s);
    /* Bad SQL and a wrong number of values are logged and counted. */
    assert_null(db_run(f->db, "SELEKT nonsense", ""));
    assert_int_equal(store_error_count(f->s), e0 + 1);
    assert_null(db_run(f->db, "SELECT $1, $2", "i", (int64_t)1));
    assert_int_equal(store_error_count(f->s), e0 + 2);
    assert_null(db_run(f->db, "SELECT $1", "ii", (int64_t)1, (int64_t)2));
    assert_null(db_run(f->db, "SELECT $1", "x", (int64_t)1));
    assert_int_equal(db_exec_stmt(f->db, "SELECT * FROM no_such_table", ""), DB_ERROR);
    assert_int_equal(db_exec_script(f->db, "CREATE TABLE x (a); CREATE TABL y (b)"), DB_ERROR);
    assert_true(store_error_count(f->s) >= e0 + 6);
    assert_int_equal(db_step(NULL), DB_ERROR);
    db_done(NULL);
    /* Constraint results are answers, not errors. */
    unsigned long e1 = store_error_count(f->s);
    add_org(f->db, "DUP", "city", 0);
    struct org_rec o = {.parent_id = 0};
    ub_strlcpy(o.code, "DUP", sizeof o.code);
    ub_strlcpy(o.name, "again", sizeof o.name);
    ub_strlcpy(o.level, "city", sizeof o.level);
    assert_int_equal(store_org_insert(f->db, &o), DB_CONFLICT);
    assert_int_equal(store_error_count(f->s), e1);
}

/* ---- db.h binding and results ------------------------------------------ */

static int64_t echo_i64(struct db *db, int64_t v)
{
    struct db_stmt *st = db_run(db, "SELECT $1", "i", v);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t r = db_i64(st, 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    return r;
}

static void test_db_binding(void **state)
{
    struct fx *f = *state;
    static const unsigned char blob[] = {0x00, 0xff, 0x10, 0x00};
    struct db_stmt *st = db_run(f->db, "SELECT $1, $2, $3, $4, $5, $6, $7",
                                "iIIssbn", (int64_t)-5, (int64_t)0, (int64_t)7,
                                "上海 text", (const char *)NULL, blob, sizeof blob);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), -5);
    assert_true(db_null(st, 1));            /* 'I' with 0 binds NULL */
    assert_false(db_null(st, 2));
    assert_int_equal(db_i64(st, 2), 7);
    assert_string_equal(db_text(st, 3), "上海 text");
    assert_true(db_null(st, 4));            /* 's' with NULL binds NULL */
    assert_string_equal(db_text(st, 4), "");
    size_t n = 0;
    const void *p = db_blob(st, 5, &n);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(p, blob, sizeof blob);
    assert_true(db_null(st, 6));
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);

    /* The same statement (one literal) is reused with new values. */
    assert_true(echo_i64(f->db, INT64_MAX) == INT64_MAX);
    assert_true(echo_i64(f->db, INT64_MIN) == INT64_MIN);
    assert_int_equal(echo_i64(f->db, 0), 0);

    /* "$1" inside quoted text is text, not a placeholder. */
    st = db_run(f->db, "SELECT '$1 and $2', $1", "i", (int64_t)9);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "$1 and $2");
    assert_int_equal(db_i64(st, 1), 9);
    db_done(st);

    /* A placeholder used twice binds once; out-of-order use works. */
    st = db_run(f->db, "SELECT $2 || '-' || $1 || '-' || $2", "ss", "a", "b");
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "b-a-b");
    db_done(st);
}

/* Rows for PostgreSQL's unnest(): each column's values as its binary
 * arrays hold them (length, -1 for NULL, bytes; integers big-endian), and
 * SQLite refuses them (it writes a statement per row). */
static void test_db_rows(void **state)
{
    struct fx *f = *state;
    struct db_rows r;
    db_rows_init(&r, "iIsb");
    db_rows_add(&r, (int64_t)-2, (int64_t)0, "工会", "\x01\x00", (size_t)2);
    db_rows_add(&r, (int64_t)0x0102030405060708, (int64_t)7, (const char *)NULL,
                (const void *)NULL, (size_t)0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ncols, 4);
    static const unsigned char i0[] = {0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xfe, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(r.cols[0].len, sizeof i0);
    assert_memory_equal(r.cols[0].data, i0, sizeof i0);
    assert_false(r.cols[0].nulls);
    static const unsigned char i1[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0,
                                       0, 7};
    assert_int_equal(r.cols[1].len, sizeof i1);
    assert_memory_equal(r.cols[1].data, i1, sizeof i1);
    assert_true(r.cols[1].nulls);            /* 'I' with 0 is NULL */
    static const unsigned char s2[] = {0, 0, 0, 6, 0xe5, 0xb7, 0xa5, 0xe4, 0xbc, 0x9a,
                                       0xff, 0xff, 0xff, 0xff};
    assert_int_equal(r.cols[2].len, sizeof s2);
    assert_memory_equal(r.cols[2].data, s2, sizeof s2);
    assert_true(r.cols[2].nulls);
    static const unsigned char b3[] = {0, 0, 0, 2, 1, 0, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(r.cols[3].len, sizeof b3);
    assert_memory_equal(r.cols[3].data, b3, sizeof b3);

    unsigned long errors = f->db->errors;
    assert_null(db_run(f->db, "SELECT $1, $2, $3, $4", "R", &r));
    assert_int_equal(f->db->errors, errors + 1);
    db_rows_free(&r);
}

static void test_db_error_codes(void **state)
{
    struct fx *f = *state;
    assert_int_equal(db_exec_script(f->db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n TEXT NOT NULL, "
        "c INTEGER CHECK (c >= 0), p BIGINT REFERENCES orgs (id));"
        "CREATE TABLE t2 (x INTEGER)"), DB_OK);
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, c) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)1, "u1", "n", (int64_t)0), DB_OK);
    /* Unique and primary key: conflict. */
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, c) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)2, "u1", "n", (int64_t)0), DB_CONFLICT);
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, c) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)1, "u2", "n", (int64_t)0), DB_CONFLICT);
    /* Not null, check, foreign key: constraint. */
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, c) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)3, "u3", (const char *)NULL, (int64_t)0),
                     DB_CONSTRAINT);
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, c) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)3, "u3", "n", (int64_t)-1), DB_CONSTRAINT);
    assert_int_equal(db_exec_stmt(f->db, "INSERT INTO t (id, u, n, p) VALUES ($1, $2, $3, $4)",
                                  "issi", (int64_t)3, "u3", "n", (int64_t)424242),
                     DB_CONSTRAINT);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM t"), 1);

    /* db_exec_stmt runs through rows it does not need. */
    assert_int_equal(db_exec_script(f->db, "INSERT INTO t2 VALUES (1), (2), (3)"), DB_OK);
    assert_int_equal(db_exec_stmt(f->db, "SELECT x FROM t2", ""), DB_OK);

    /* A statement left unfinished by one caller is reset by db_done:
     * stepping one row then done, then the same literal again. */
    for (int i = 0; i < 3; i++) {
        struct db_stmt *st = db_run(f->db, "SELECT x FROM t2 ORDER BY x", "");
        assert_int_equal(db_step(st), DB_ROW);
        assert_int_equal(db_i64(st, 0), 1);
        db_done(st);
    }
}

static void test_transactions(void **state)
{
    struct fx *f = *state;
    struct org_rec o;
    /* Rollback with nothing open is harmless. */
    assert_int_equal(db_rollback(f->db), DB_OK);

    assert_int_equal(db_begin(f->db), DB_OK);
    add_org(f->db, "TX1", "city", 0);
    assert_int_equal(db_rollback(f->db), DB_OK);
    assert_int_equal(store_org_by_code(f->db, "TX1", &o), DB_NOTFOUND);

    assert_int_equal(db_begin(f->db), DB_OK);
    add_org(f->db, "TX2", "city", 0);
    /* Another connection does not see uncommitted rows... */
    struct db *other = store_acquire(f->s);
    assert_int_equal(store_org_by_code(other, "TX2", &o), DB_NOTFOUND);
    assert_int_equal(db_commit(f->db), DB_OK);
    /* ...and does once they are committed. */
    assert_int_equal(store_org_by_code(other, "TX2", &o), DB_OK);

    /* Releasing a connection rolls back what a caller forgot. */
    assert_int_equal(db_begin(other), DB_OK);
    add_org(other, "TX3", "city", 0);
    store_release(f->s, other);
    assert_int_equal(store_org_by_code(f->db, "TX3", &o), DB_NOTFOUND);
    /* And the write lock is free again. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_commit(f->db), DB_OK);
}

/* ---- the batch writer -------------------------------------------------- */

struct tjob {
    struct store_job job;           /* first */
    const char *code;               /* the org it inserts */
    int how;                        /* 0 keep, 1 fail after writing, 2 refuse (roll back) */
    int rc;                         /* what done was told */
    bool done;
    pthread_mutex_t *lock;
    pthread_cond_t *cond;
};

static int tjob_run(struct store_job *j, struct db *db)
{
    struct tjob *t = (struct tjob *)j;
    char key[64];
    snprintf(key, sizeof key, "t:%s", t->code);
    int64_t n, since;
    /* Counted whatever happens next, as a join counts an attempt. */
    if (store_rate_hit(db, key, ub_now(), 60, &n, &since) != DB_OK)
        return DB_ERROR;
    if (db_begin(db) != DB_OK)
        return DB_ERROR;
    struct org_rec o;
    memset(&o, 0, sizeof o);
    ub_strlcpy(o.code, t->code, sizeof o.code);
    ub_strlcpy(o.name, t->code, sizeof o.name);
    ub_strlcpy(o.level, "city", sizeof o.level);
    if (store_org_insert(db, &o) != DB_OK)
        return DB_ERROR;
    if (t->how == 2) {
        db_rollback(db);
        return DB_OK;
    }
    if (t->how == 0 && store_org_rename(db, o.id, "renamed", ub_now()) != DB_OK)
        return DB_ERROR;
    if (db_commit(db) != DB_OK)
        return DB_ERROR;
    return t->how == 1 ? DB_CONFLICT : DB_OK;
}

static void tjob_done(struct store_job *j, int rc)
{
    struct tjob *t = (struct tjob *)j;
    pthread_mutex_lock(t->lock);
    t->rc = rc;
    t->done = true;
    pthread_cond_broadcast(t->cond);
    pthread_mutex_unlock(t->lock);
}

static void test_batch_writer(void **state)
{
    struct fx *f = *state;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    static const char *const codes[] = {"BW1", "BW2", "BW3", "BW4", "BW5", "BW6"};
    struct tjob jobs[6];
    /* First as a batch of one at a time (no writer), then through the
     * writer, where they share batches. */
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            assert_int_equal(store_group_commit(f->s), 0);
            assert_int_equal(store_writer_start(f->s), 0);
        }
        uint64_t gen = store_generation(f->s);
        for (int i = 0; i < 3; i++) {
            struct tjob *t = &jobs[round * 3 + i];
            *t = (struct tjob){.job = {.run = tjob_run, .done = tjob_done},
                               .code = codes[round * 3 + i], .how = i,
                               .lock = &lock, .cond = &cond};
            store_submit(f->s, &t->job);
        }
        pthread_mutex_lock(&lock);
        for (int i = 0; i < 3; i++)
            while (!jobs[round * 3 + i].done)
                pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
        struct tjob *t = &jobs[round * 3];
        assert_int_equal(t[0].rc, DB_OK);
        assert_int_equal(t[1].rc, DB_CONFLICT);
        assert_int_equal(t[2].rc, DB_OK);
        /* Kept, undone whole, refused (its rate hit kept). */
        struct org_rec o;
        assert_int_equal(store_org_by_code(f->db, t[0].code, &o), DB_OK);
        assert_string_equal(o.name, "renamed");
        assert_int_equal(store_org_by_code(f->db, t[1].code, &o), DB_NOTFOUND);
        assert_int_equal(store_org_by_code(f->db, t[2].code, &o), DB_NOTFOUND);
        int64_t n, since;
        char key[64];
        snprintf(key, sizeof key, "t:%s", t[1].code);
        assert_int_equal(store_rate_get(f->db, key, ub_now(), 60, &n, &since), DB_OK);
        assert_int_equal(n, 0);
        snprintf(key, sizeof key, "t:%s", t[2].code);
        assert_int_equal(store_rate_get(f->db, key, ub_now(), 60, &n, &since), DB_OK);
        assert_int_equal(n, 1);
        /* The committed rename moved the generation on. */
        assert_true(store_generation(f->s) > gen);
    }
}

/* Jobs run as sets: each kind once per batch, with all of its jobs; a
 * set's refusals write nothing, a failed set is undone whole (its jobs all
 * told why) while the batch's other sets and single jobs are kept. */
struct sjob {
    struct store_job job;           /* first */
    const char *code;               /* the org it inserts */
    bool refuse;                    /* refused: writes nothing */
    int rc;                         /* what done was told */
};

static int set_calls, set_sizes;

static void sjob_done(struct store_job *j, int rc)
{
    ((struct sjob *)j)->rc = rc;
}

static int insert_org(struct db *db, const char *code)
{
    struct org_rec o;
    memset(&o, 0, sizeof o);
    ub_strlcpy(o.code, code, sizeof o.code);
    ub_strlcpy(o.name, code, sizeof o.name);
    ub_strlcpy(o.level, "city", sizeof o.level);
    return store_org_insert(db, &o);
}

static int set_keep(struct store_job **jobs, size_t n, struct db *db)
{
    set_calls++;
    set_sizes += (int)n;
    for (size_t i = 0; i < n; i++) {
        struct sjob *t = (struct sjob *)jobs[i];
        if (t->refuse) {
            jobs[i]->rc = DB_CONSTRAINT;
            continue;
        }
        if (insert_org(db, t->code) != DB_OK)
            return DB_ERROR;
    }
    return DB_OK;
}

static int set_fail(struct store_job **jobs, size_t n, struct db *db)
{
    set_calls++;
    set_sizes += (int)n;
    for (size_t i = 0; i < n; i++)
        if (insert_org(db, ((struct sjob *)jobs[i])->code) != DB_OK)
            return DB_ERROR;
    return DB_BUSY;                 /* after writing: all of it undone */
}

static int single_run(struct store_job *j, struct db *db)
{
    return insert_org(db, ((struct sjob *)j)->code);
}

static void test_batch_writer_sets(void **state)
{
    struct fx *f = *state;
    static const char *const codes[] = {"S1", "S2", "F1", "S3", "ONE", "F2", "S4"};
    struct sjob jobs[7];
    struct store_job *list = NULL, **tail = &list;
    for (int i = 0; i < 7; i++) {
        jobs[i] = (struct sjob){.code = codes[i], .refuse = i == 3};
        jobs[i].job.done = sjob_done;
        if (codes[i][0] == 'S')
            jobs[i].job.run_set = set_keep;
        else if (codes[i][0] == 'F')
            jobs[i].job.run_set = set_fail;
        else
            jobs[i].job.run = single_run;
        *tail = &jobs[i].job;
        tail = &jobs[i].job.next;
    }
    set_calls = set_sizes = 0;
    writer_run_batch(f->db, list);
    assert_int_equal(set_calls, 2);
    assert_int_equal(set_sizes, 6);
    static const int want_rc[] = {DB_OK, DB_OK, DB_BUSY, DB_CONSTRAINT, DB_OK, DB_BUSY, DB_OK};
    static const bool kept[] = {true, true, false, false, true, false, true};
    for (int i = 0; i < 7; i++) {
        struct org_rec o;
        assert_int_equal(jobs[i].rc, want_rc[i]);
        assert_int_equal(store_org_by_code(f->db, codes[i], &o), kept[i] ? DB_OK : DB_NOTFOUND);
    }
}

/* The checkpoint sequence number in a WAL's header: SQLite adds one each
 * time a writer starts the WAL over from its beginning. */
static uint32_t wal_sequence(const char *wal)
{
    unsigned char h[16] = {0};
    int fd = open(wal, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    close(fd);
    return (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15];
}

/* Under group commit the checkpointer copies the WAL into the database
 * while the server runs, and starts the WAL over once it is long: writes
 * without a pause leave the WAL neither uncopied (it once stayed so until
 * the server stopped) nor growing without end.  A database of 512-byte
 * pages, so that the thresholds (sqlite.c: a checkpoint every 4,096 pages,
 * a restart from 16,384, tried again 16,384 later if it could not be made)
 * come after a few MiB: 1,200 commits of 50 pages. */
static void test_group_commit_checkpoints(void **state)
{
    struct fx *f = *state;
    char path[128], wal[140], url[140], err[256];
    snprintf(path, sizeof path, "%s/small.db", f->dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA page_size = 512; CREATE TABLE ckpt (b BLOB)", NULL,
                                  NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    struct store *s = store_open(url, false, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_group_commit(s), 0);
    struct db *db = store_acquire(s);
    assert_non_null(db);
    struct stat st0, st;
    assert_int_equal(stat(path, &st0), 0);
    uint32_t seq = 0;
    int restarts = -1;
    for (int i = 0; i < 1200; i++) {
        assert_int_equal(db_begin(db), DB_OK);
        for (int r = 0; r < 50; r++)
            assert_int_equal(db_exec_stmt(db, "INSERT INTO ckpt VALUES (zeroblob(400))", ""),
                             DB_OK);
        assert_int_equal(db_commit(db), DB_OK);
        uint32_t now = wal_sequence(wal);
        restarts += restarts < 0 || now != seq;
        seq = now;
    }
    /* 60,000 pages went through the WAL (32 MiB of frames); started over,
     * it holds at most two restarts' worth (one that failed, one made) and
     * what came while they were made. */
    assert_true(restarts >= 1);
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size < 45000 * (512 + 24));
    /* The checkpointer works on its own thread: wait for it, up to a
     * minute (a bound for a slow machine, not a measurement). */
    for (int i = 0; i < 600; i++) {
        assert_int_equal(stat(path, &st), 0);
        if (st.st_size >= st0.st_size + 60000 * 512 / 2)
            break;
        usleep(100 * 1000);
    }
    assert_true(st.st_size >= st0.st_size + 60000 * 512 / 2);
    store_release(s, db);
    store_close(s);
}

/* ---- org tree ---------------------------------------------------------- */

/* Codes seen by an org_cb, comma-separated. */
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

static int stop_after_first(void *ud, const struct org_rec *o)
{
    (void)o;
    (*(int *)ud)++;
    return 7;
}

static void test_org_insert_and_read(void **state)
{
    struct fx *f = *state;
    int64_t t0 = ub_now();
    struct org_rec r = add_org(f->db, "R", "city", 0);
    char want[64];
    snprintf(want, sizeof want, "/%lld/", (long long)r.id);
    assert_string_equal(r.path, want);
    assert_int_equal(r.depth, 0);
    assert_true(r.created_at >= t0);

    struct org_rec d = add_org(f->db, "D", "district", r.id);
    snprintf(want, sizeof want, "/%lld/%lld/", (long long)r.id, (long long)d.id);
    assert_string_equal(d.path, want);
    assert_int_equal(d.depth, 1);
    struct org_rec t = add_org(f->db, "T", "town", d.id);
    assert_int_equal(t.depth, 2);
    assert_int_equal(strncmp(t.path, d.path, strlen(d.path)), 0);

    struct org_rec o;
    assert_int_equal(store_org_by_code(f->db, "D", &o), DB_OK);
    assert_int_equal(o.id, d.id);
    assert_int_equal(o.parent_id, r.id);
    assert_string_equal(o.parent_code, "R");
    assert_string_equal(o.name, "组织 D");
    assert_string_equal(o.level, "district");
    assert_string_equal(o.path, d.path);
    assert_int_equal(o.depth, 1);
    assert_int_equal(o.children, 1);
    assert_true(o.created_at >= t0 && o.updated_at == o.created_at);

    assert_int_equal(store_org_by_id(f->db, r.id, &o), DB_OK);
    assert_string_equal(o.code, "R");
    assert_int_equal(o.parent_id, 0);
    assert_string_equal(o.parent_code, "");
    assert_int_equal(store_org_by_code(f->db, "nope", &o), DB_NOTFOUND);
    assert_int_equal(store_org_by_id(f->db, 999999, &o), DB_NOTFOUND);

    /* Unknown parent, duplicate code, unknown level. */
    struct org_rec bad = {.parent_id = 999999};
    ub_strlcpy(bad.code, "X", sizeof bad.code);
    ub_strlcpy(bad.name, "x", sizeof bad.name);
    ub_strlcpy(bad.level, "town", sizeof bad.level);
    assert_int_equal(store_org_insert(f->db, &bad), DB_NOTFOUND);
    bad.parent_id = r.id;
    ub_strlcpy(bad.code, "T", sizeof bad.code);
    assert_int_equal(store_org_insert(f->db, &bad), DB_CONFLICT);
    ub_strlcpy(bad.code, "X", sizeof bad.code);
    ub_strlcpy(bad.level, "planet", sizeof bad.level);
    assert_int_equal(store_org_insert(f->db, &bad), DB_CONSTRAINT);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM orgs"), 3);

    /* Rename. */
    assert_int_equal(store_org_rename(f->db, t.id, "新名字", t0 + 100), DB_OK);
    assert_int_equal(store_org_by_id(f->db, t.id, &o), DB_OK);
    assert_string_equal(o.name, "新名字");
    assert_int_equal(o.updated_at, t0 + 100);

    /* Children come by code; 0 lists the roots. */
    add_org(f->db, "Tc", "town", d.id);
    add_org(f->db, "Ta", "town", d.id);
    add_org(f->db, "R0", "city", 0);
    struct codes codes = {""};
    assert_int_equal(store_org_children(f->db, d.id, NULL, 1000, collect_codes, &codes), DB_OK);
    assert_string_equal(codes.s, "T,Ta,Tc");
    codes.s[0] = 0;
    assert_int_equal(store_org_children(f->db, 0, NULL, 1000, collect_codes, &codes), DB_OK);
    assert_string_equal(codes.s, "R,R0");
    codes.s[0] = 0;
    assert_int_equal(store_org_children(f->db, t.id, NULL, 1000, collect_codes, &codes), DB_OK);
    assert_string_equal(codes.s, "");
    int calls = 0;
    assert_int_equal(store_org_children(f->db, d.id, NULL, 1000, stop_after_first, &calls), 7);
    assert_int_equal(calls, 1);
    assert_int_equal(store_org_by_code(f->db, "D", &o), DB_OK);
    assert_int_equal(o.children, 3);

    /* Ancestors from the root down, inclusive. */
    codes.s[0] = 0;
    assert_int_equal(store_org_by_code(f->db, "T", &o), DB_OK);
    assert_int_equal(store_org_ancestors(f->db, &o, collect_codes, &codes), DB_OK);
    assert_string_equal(codes.s, "R,D,T");
    codes.s[0] = 0;
    assert_int_equal(store_org_ancestors(f->db, &r, collect_codes, &codes), DB_OK);
    assert_string_equal(codes.s, "R");
}

static void test_org_path_limit(void **state)
{
    struct fx *f = *state;
    assert_int_equal(db_begin(f->db), DB_OK);
    int64_t parent = 0;
    char last_path[ORG_PATH_MAX + 1] = "";
    int rc = DB_OK, depth = 0;
    for (depth = 0; depth < 500; depth++) {
        struct org_rec o = {.parent_id = parent};
        snprintf(o.code, sizeof o.code, "deep%d", depth);
        ub_strlcpy(o.name, "deep", sizeof o.name);
        ub_strlcpy(o.level, "town", sizeof o.level);
        rc = store_org_insert(f->db, &o);
        if (rc != DB_OK)
            break;
        assert_int_equal(o.depth, depth);
        assert_true(strlen(o.path) <= ORG_PATH_MAX);
        ub_strlcpy(last_path, o.path, sizeof last_path);
        parent = o.id;
    }
    /* Deeper than the tree may grow: refused, not truncated. */
    assert_int_equal(rc, DB_CONSTRAINT);
    assert_int_equal(depth, ORG_MAX_DEPTH);
    assert_true(strlen(last_path) <= ORG_PATH_MAX);
    assert_int_equal(db_rollback(f->db), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM orgs"), 0);
}

static uint32_t next_rand(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

struct count_ud {
    int64_t n;
};

static int count_cb(void *ud, const struct org_rec *o)
{
    (void)o;
    ((struct count_ud *)ud)->n++;
    return 0;
}

static void test_subtree_count_random_tree(void **state)
{
    struct fx *f = *state;
    enum { N = 3000, FIRST_CHILDREN = 40 };
    int64_t *id = calloc(N, sizeof *id);
    int *parent = calloc(N, sizeof *parent);
    int *depth = calloc(N, sizeof *depth);
    int64_t *sub = calloc(N, sizeof *sub);
    char (*path)[ORG_PATH_MAX + 1] = calloc(N, sizeof *path);
    static const char *const levels[] = {"city", "district", "town", "union"};
    uint32_t seed = 20240527;

    assert_int_equal(db_begin(f->db), DB_OK);
    for (int i = 0; i < N; i++) {
        /* Node 0 is the root; the next few are all its children (so ids 2,
         * 3, ... 23 ... are siblings whose paths share text); after that,
         * a random earlier node, often a recent one to make deep chains. */
        int p;
        if (i == 0)
            p = -1;
        else if (i <= FIRST_CHILDREN)
            p = 0;
        else if (next_rand(&seed) % 4 == 0)
            p = i - 1 - (int)(next_rand(&seed) % 10);
        else
            p = (int)(next_rand(&seed) % (uint32_t)i);
        if (p >= 0 && depth[p] >= ORG_MAX_DEPTH - 1)
            p = (int)(next_rand(&seed) % (uint32_t)FIRST_CHILDREN);
        parent[i] = p;
        depth[i] = p < 0 ? 0 : depth[p] + 1;
        char code[16];
        snprintf(code, sizeof code, "n%d", i);
        struct org_rec o = add_org(f->db, code, levels[depth[i] < 3 ? depth[i] : 3],
                                   p < 0 ? 0 : id[p]);
        id[i] = o.id;
        assert_int_equal(o.depth, depth[i]);
        ub_strlcpy(path[i], o.path, sizeof path[i]);
    }
    assert_int_equal(db_commit(f->db), DB_OK);

    /* The tricky case is present: "/1/2/" and "/1/23/" are siblings. */
    assert_int_equal(id[0], 1);
    assert_string_equal(path[1], "/1/2/");
    assert_string_equal(path[22], "/1/23/");

    /* Brute force: parents come before children, so one backward pass. */
    int maxdepth = 0;
    for (int i = N - 1; i >= 0; i--) {
        sub[i] += 1;
        if (parent[i] >= 0)
            sub[parent[i]] += sub[i];
        if (depth[i] > maxdepth)
            maxdepth = depth[i];
    }
    assert_int_equal(sub[0], N);
    assert_int_equal(maxdepth, ORG_MAX_DEPTH - 1);

    for (int i = 0; i < N; i++) {
        int64_t n = -1;
        assert_int_equal(store_org_subtree_count(f->db, path[i], &n), DB_OK);
        if (n != sub[i])
            fail_msg("subtree of %s: store says %lld, brute force %lld", path[i],
                     (long long)n, (long long)sub[i]);
    }
    int64_t n = -1;
    assert_int_equal(store_org_subtree_count(f->db, "/", &n), DB_OK);
    assert_int_equal(n, N);
    assert_int_equal(store_org_subtree_count(f->db, "/999999/", &n), DB_OK);
    assert_int_equal(n, 0);

    /* The search walks the same subtrees (an empty query matches all). */
    for (int i = 0; i < N; i += 97) {
        struct count_ud c = {0};
        assert_int_equal(store_org_search(f->db, path[i], "", 1000000, count_cb, &c), DB_OK);
        assert_int_equal(c.n, sub[i]);
    }
    free(id);
    free(parent);
    free(depth);
    free(sub);
    free(path);
}

static void test_org_search_like_escaping(void **state)
{
    struct fx *f = *state;
    struct org_rec r = add_org(f->db, "ROOT", "city", 0);
    struct org_rec o;
    const char *names[] = {"100% 工会", "a_b", "axb", "back\\slash", "plain"};
    const char *codes[] = {"pct", "under", "x", "bs", "p"};
    for (int i = 0; i < 5; i++) {
        memset(&o, 0, sizeof o);
        ub_strlcpy(o.code, codes[i], sizeof o.code);
        ub_strlcpy(o.name, names[i], sizeof o.name);
        ub_strlcpy(o.level, "union", sizeof o.level);
        o.parent_id = r.id;
        assert_int_equal(store_org_insert(f->db, &o), DB_OK);
    }
    struct codes got = {""};
    assert_int_equal(store_org_search(f->db, r.path, "%", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "pct");
    got.s[0] = 0;
    assert_int_equal(store_org_search(f->db, r.path, "_", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "under");
    got.s[0] = 0;
    assert_int_equal(store_org_search(f->db, r.path, "\\", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "bs");
    got.s[0] = 0;
    assert_int_equal(store_org_search(f->db, r.path, "工会", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "pct");
    /* Matches codes as well as names. */
    got.s[0] = 0;
    assert_int_equal(store_org_search(f->db, r.path, "UNDE", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "under");
    /* Limit, and scoping to a subtree. */
    struct count_ud c = {0};
    assert_int_equal(store_org_search(f->db, r.path, "", 2, count_cb, &c), DB_OK);
    assert_int_equal(c.n, 2);
    struct org_rec x;
    assert_int_equal(store_org_by_code(f->db, "x", &x), DB_OK);
    got.s[0] = 0;
    assert_int_equal(store_org_search(f->db, x.path, "", 100, collect_codes, &got), DB_OK);
    assert_string_equal(got.s, "x");
}

/* ---- employers --------------------------------------------------------- */

static struct employer_rec employer(const char *name, const char *uscc, int64_t org_id)
{
    struct employer_rec e;
    memset(&e, 0, sizeof e);
    ub_strlcpy(e.name, name, sizeof e.name);
    ub_strlcpy(e.uscc, uscc, sizeof e.uscc);
    e.org_id = org_id;
    e.headcount = 10;
    return e;
}

struct ids {
    int n;
    int64_t id[64];
};

static int collect_ids(void *ud, const struct employer_rec *e)
{
    struct ids *ids = ud;
    if (ids->n < 64)
        ids->id[ids->n++] = e->id;
    return 0;
}

static void test_employers(void **state)
{
    struct fx *f = *state;
    struct org_rec r = add_org(f->db, "R", "city", 0);
    struct org_rec t1 = add_org(f->db, "T1", "town", r.id);
    struct org_rec t2 = add_org(f->db, "T2", "town", r.id);

    int64_t t0 = ub_now();
    struct employer_rec e1 = employer("甲公司", "91310110666007217T", t1.id);
    ub_strlcpy(e1.address, "上海市", sizeof e1.address);
    ub_strlcpy(e1.legal_rep, "张三", sizeof e1.legal_rep);
    assert_int_equal(store_employer_insert(f->db, &e1), DB_OK);
    assert_true(e1.id > 0);
    assert_true(e1.created_at >= t0);

    struct employer_rec g;
    assert_int_equal(store_employer_by_id(f->db, e1.id, &g), DB_OK);
    assert_string_equal(g.name, "甲公司");
    assert_string_equal(g.uscc, "91310110666007217T");
    assert_string_equal(g.uscc_override, "");
    assert_int_equal(g.headcount, 10);
    assert_int_equal(g.org_id, t1.id);
    assert_string_equal(g.org_code, "T1");
    assert_string_equal(g.org_path, t1.path);
    assert_string_equal(g.union_status, "none");
    assert_int_equal(g.union_org_id, 0);
    assert_string_equal(g.union_org_code, "");
    assert_string_equal(g.address, "上海市");
    assert_string_equal(g.legal_rep, "张三");
    assert_int_equal(store_employer_by_uscc(f->db, "91310110666007217T", &g), DB_OK);
    assert_int_equal(g.id, e1.id);
    assert_int_equal(store_employer_by_uscc(f->db, "91110000MA01A7RH2R", &g), DB_NOTFOUND);
    assert_int_equal(store_employer_by_id(f->db, 999999, &g), DB_NOTFOUND);

    /* Unknown USCCs are stored as NULL: any number of them. */
    struct employer_rec e2 = employer("乙公司", "", t1.id);
    struct employer_rec e3 = employer("丙公司", "", t2.id);
    assert_int_equal(store_employer_insert(f->db, &e2), DB_OK);
    assert_int_equal(store_employer_insert(f->db, &e3), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM employers WHERE uscc IS NULL"), 2);

    /* Duplicate USCC, negative headcount, bad status, unknown org. */
    struct employer_rec bad = employer("dup", "91310110666007217T", t2.id);
    assert_int_equal(store_employer_insert(f->db, &bad), DB_CONFLICT);
    bad = employer("neg", "", t2.id);
    bad.headcount = -1;
    assert_int_equal(store_employer_insert(f->db, &bad), DB_CONSTRAINT);
    bad = employer("status", "", t2.id);
    ub_strlcpy(bad.union_status, "maybe", sizeof bad.union_status);
    assert_int_equal(store_employer_insert(f->db, &bad), DB_CONSTRAINT);
    bad = employer("org", "", 999999);
    assert_int_equal(store_employer_insert(f->db, &bad), DB_CONSTRAINT);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM employers"), 3);

    /* Update. */
    e2.headcount = 77;
    ub_strlcpy(e2.uscc, "91110000MA01A7RH2R", sizeof e2.uscc);
    ub_strlcpy(e2.name, "乙公司（新）", sizeof e2.name);
    assert_int_equal(store_employer_update(f->db, &e2), DB_OK);
    assert_int_equal(store_employer_by_id(f->db, e2.id, &g), DB_OK);
    assert_int_equal(g.headcount, 77);
    assert_string_equal(g.uscc, "91110000MA01A7RH2R");
    assert_string_equal(g.name, "乙公司（新）");
    ub_strlcpy(e2.uscc, "91310110666007217T", sizeof e2.uscc);
    assert_int_equal(store_employer_update(f->db, &e2), DB_CONFLICT);
    e2.uscc[0] = 0;
    assert_int_equal(store_employer_update(f->db, &e2), DB_OK);
    assert_int_equal(store_employer_by_id(f->db, e2.id, &g), DB_OK);
    assert_string_equal(g.uscc, "");

    /* Listing by subtree, by page, by query. */
    struct ids ids = {0};
    assert_int_equal(store_employer_list(f->db, t1.path, 0, NULL, 0, 100, collect_ids, &ids), DB_OK);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.id[0], e1.id);
    assert_int_equal(ids.id[1], e2.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, "/", 0, NULL, 0, 100, collect_ids, &ids), DB_OK);
    assert_int_equal(ids.n, 3);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, r.path, 0, NULL, e1.id, 1, collect_ids, &ids),
                     DB_OK);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.id[0], e2.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, r.path, 0, "丙", 0, 100, collect_ids, &ids), DB_OK);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.id[0], e3.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, r.path, 0, "0666007", 0, 100, collect_ids, &ids),
                     DB_OK);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.id[0], e1.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, r.path, 0, "%", 0, 100, collect_ids, &ids), DB_OK);
    assert_int_equal(ids.n, 0);
}

/* The distribution key: orgs inherit their district, employers and audit
 * entries carry it, and a listing filtered by it finds the same rows. */
static void test_district_key(void **state)
{
    struct fx *f = *state;
    struct org_rec c = add_org(f->db, "C", "city", 0);
    struct org_rec d1 = add_org(f->db, "D1", "district", c.id);
    struct org_rec d2 = add_org(f->db, "D2", "district", c.id);
    struct org_rec t = add_org(f->db, "D1.T", "town", d1.id);
    struct org_rec u = add_org(f->db, "D1.T.U", "union", t.id);
    assert_int_equal(c.district_id, 0);
    assert_int_equal(d1.district_id, d1.id);
    assert_int_equal(d2.district_id, d2.id);
    assert_int_equal(t.district_id, d1.id);
    assert_int_equal(u.district_id, d1.id);
    struct org_rec g;
    assert_int_equal(store_org_by_code(f->db, "D1.T.U", &g), DB_OK);
    assert_int_equal(g.district_id, d1.id);

    struct employer_rec e1 = employer("在区一", "", t.id);
    struct employer_rec e2 = employer("在区二", "", d2.id);
    assert_int_equal(store_employer_insert(f->db, &e1), DB_OK);
    assert_int_equal(store_employer_insert(f->db, &e2), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT district_id FROM employers WHERE name = '在区一'"),
                     d1.id);
    assert_int_equal(scalar(f->db, "SELECT district_id FROM employers WHERE name = '在区二'"),
                     d2.id);

    struct ids ids = {0};
    assert_int_equal(store_employer_list(f->db, d1.path, d1.id, NULL, 0, 100, collect_ids, &ids),
                     DB_OK);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.id[0], e1.id);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, t.path, d2.id, NULL, 0, 100, collect_ids, &ids),
                     DB_OK);
    assert_int_equal(ids.n, 0);      /* the key and the path must agree */
    memset(&ids, 0, sizeof ids);
    assert_int_equal(store_employer_list(f->db, c.path, 0, NULL, 0, 100, collect_ids, &ids),
                     DB_OK);
    assert_int_equal(ids.n, 2);
}

/* ---- users, sessions, rate limits -------------------------------------- */

static void test_users_and_sessions(void **state)
{
    struct fx *f = *state;
    struct org_rec r = add_org(f->db, "R", "city", 0);
    struct user_rec admin = {.org_id = 0};
    ub_strlcpy(admin.login, "admin", sizeof admin.login);
    ub_strlcpy(admin.pw_hash, "$argon2id$fake", sizeof admin.pw_hash);
    ub_strlcpy(admin.role, "admin", sizeof admin.role);
    assert_int_equal(store_user_insert(f->db, &admin), DB_OK);
    assert_true(admin.id > 0);

    struct user_rec fed = {.org_id = r.id};
    ub_strlcpy(fed.login, "fed", sizeof fed.login);
    ub_strlcpy(fed.name, "联络员", sizeof fed.name);
    ub_strlcpy(fed.pw_hash, "$argon2id$fake2", sizeof fed.pw_hash);
    ub_strlcpy(fed.role, "federation", sizeof fed.role);
    assert_int_equal(store_user_insert(f->db, &fed), DB_OK);

    struct user_rec u;
    assert_int_equal(store_user_by_login(f->db, "admin", &u), DB_OK);
    assert_int_equal(u.id, admin.id);
    assert_int_equal(u.org_id, 0);
    assert_string_equal(u.org_code, "");
    assert_string_equal(u.org_path, "");
    assert_string_equal(u.name, "");
    assert_false(u.disabled);
    assert_int_equal(store_user_by_id(f->db, fed.id, &u), DB_OK);
    assert_string_equal(u.login, "fed");
    assert_string_equal(u.name, "联络员");
    assert_string_equal(u.role, "federation");
    assert_string_equal(u.org_code, "R");
    assert_string_equal(u.org_path, r.path);
    assert_int_equal(store_user_by_login(f->db, "ghost", &u), DB_NOTFOUND);

    struct user_rec dup = admin;
    assert_int_equal(store_user_insert(f->db, &dup), DB_CONFLICT);
    ub_strlcpy(dup.login, "other", sizeof dup.login);
    ub_strlcpy(dup.role, "root", sizeof dup.role);
    assert_int_equal(store_user_insert(f->db, &dup), DB_CONSTRAINT);

    assert_int_equal(store_user_set_password(f->db, fed.id, "$argon2id$new"), DB_OK);
    assert_int_equal(store_user_by_id(f->db, fed.id, &u), DB_OK);
    assert_string_equal(u.pw_hash, "$argon2id$new");

    /* Sessions: live, expired, never expiring. */
    int64_t now = ub_now();
    struct session_rec s1 = {.user_id = fed.id, .created_at = now, .expires_at = now + 100};
    ub_strlcpy(s1.digest, "d1", sizeof s1.digest);
    ub_strlcpy(s1.kind, "session", sizeof s1.kind);
    ub_strlcpy(s1.csrf, "c1", sizeof s1.csrf);
    struct session_rec s2 = s1, s3 = s1;
    ub_strlcpy(s2.digest, "d2", sizeof s2.digest);
    s2.expires_at = now - 1;
    ub_strlcpy(s3.digest, "d3", sizeof s3.digest);
    ub_strlcpy(s3.kind, "api", sizeof s3.kind);
    s3.expires_at = 0;
    assert_int_equal(store_session_insert(f->db, &s1), DB_OK);
    assert_int_equal(store_session_insert(f->db, &s2), DB_OK);
    assert_int_equal(store_session_insert(f->db, &s3), DB_OK);
    assert_int_equal(store_session_insert(f->db, &s1), DB_CONFLICT);
    struct session_rec bad = s1;
    ub_strlcpy(bad.digest, "d4", sizeof bad.digest);
    bad.user_id = 999999;
    assert_int_equal(store_session_insert(f->db, &bad), DB_CONSTRAINT);
    ub_strlcpy(bad.kind, "cookie", sizeof bad.kind);
    bad.user_id = fed.id;
    assert_int_equal(store_session_insert(f->db, &bad), DB_CONSTRAINT);

    struct session_rec s;
    assert_int_equal(store_session_find(f->db, "d1", now, &s, &u), DB_OK);
    assert_string_equal(s.kind, "session");
    assert_string_equal(s.csrf, "c1");
    assert_int_equal(s.user_id, fed.id);
    assert_int_equal(s.expires_at, now + 100);
    assert_string_equal(u.login, "fed");
    assert_string_equal(u.org_path, r.path);
    /* Expiry is exclusive. */
    assert_int_equal(store_session_find(f->db, "d1", now + 99, &s, &u), DB_OK);
    assert_int_equal(store_session_find(f->db, "d1", now + 100, &s, &u), DB_NOTFOUND);
    assert_int_equal(store_session_find(f->db, "d2", now, &s, &u), DB_NOTFOUND);
    assert_int_equal(store_session_find(f->db, "d3", now + 100000000, &s, &u), DB_OK);
    assert_string_equal(s.kind, "api");
    assert_int_equal(store_session_find(f->db, "nope", now, &s, &u), DB_NOTFOUND);

    /* Purge drops only expired sessions; delete drops one. */
    assert_int_equal(store_session_purge(f->db, now), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM sessions"), 2);
    assert_int_equal(store_session_delete(f->db, "d1"), DB_OK);
    assert_int_equal(store_session_find(f->db, "d1", now, &s, &u), DB_NOTFOUND);
    assert_int_equal(store_session_delete(f->db, "d1"), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM sessions"), 1);
}

static void test_rate_limits(void **state)
{
    struct fx *f = *state;
    int64_t n = -1, t = -1;
    assert_int_equal(store_rate_get(f->db, "k", 1000, 900, &n, &t), DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(t, 1000);
    /* The window opens at the first hit and keeps its start. */
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(store_rate_hit(f->db, "k", 1000 + i * 100, 900, &n, &t), DB_OK);
        assert_int_equal(n, i);
        assert_int_equal(t, 1100);
    }
    /* Still open after a clock-aligned boundary would have reset it. */
    assert_int_equal(store_rate_get(f->db, "k", 1999, 900, &n, &t), DB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(t, 1100);
    /* Another key has its own window. */
    assert_int_equal(store_rate_get(f->db, "other", 1999, 900, &n, &t), DB_OK);
    assert_int_equal(n, 0);
    /* Closed once `len` has passed since the first hit... */
    assert_int_equal(store_rate_get(f->db, "k", 2000, 900, &n, &t), DB_OK);
    assert_int_equal(n, 0);
    /* ...and the next hit opens a new one from one. */
    assert_int_equal(store_rate_hit(f->db, "k", 2000, 900, &n, &t), DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t, 2000);
    assert_int_equal(store_rate_get(f->db, "k", 2001, 900, &n, &t), DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_rate_clear(f->db, "k"), DB_OK);
    assert_int_equal(store_rate_get(f->db, "k", 2001, 900, &n, &t), DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_rate_clear(f->db, "never"), DB_OK);
}

/* ---- audit log --------------------------------------------------------- */

struct audit_ids {
    int n;
    int64_t id[32];
    char detail[32][64];
};

static int collect_audit(void *ud, const struct audit_rec *a)
{
    struct audit_ids *x = ud;
    if (x->n < 32) {
        snprintf(x->detail[x->n], sizeof x->detail[x->n], "%s", a->detail);
        x->id[x->n++] = a->id;
    }
    return 0;
}

static void test_audit_log_store(void **state)
{
    struct fx *f = *state;
    /* Build ids 1, 2, ..., 23 so that "/1/2/" and "/1/23/" are siblings. */
    struct org_rec r = add_org(f->db, "R", "city", 0);
    struct org_rec t2 = add_org(f->db, "T2", "town", r.id);
    for (int i = 3; i < 23; i++) {
        char code[16];
        snprintf(code, sizeof code, "U%d", i);
        add_org(f->db, code, "union", t2.id);
    }
    struct org_rec t23 = add_org(f->db, "T23", "town", r.id);
    assert_string_equal(t2.path, "/1/2/");
    assert_string_equal(t23.path, "/1/23/");

    struct audit_rec a = {.at = ub_now(), .user_id = 0, .org_id = t2.id, .detail = NULL};
    ub_strlcpy(a.login, "cli", sizeof a.login);
    ub_strlcpy(a.addr, "cli", sizeof a.addr);
    ub_strlcpy(a.action, "test.one", sizeof a.action);
    ub_strlcpy(a.object_type, "org", sizeof a.object_type);
    ub_strlcpy(a.object_id, "T2", sizeof a.object_id);
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    a.org_id = t23.id;
    a.detail = "{\"k\":1}";
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    a.org_id = 0;
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log"), 3);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log WHERE org_id IS NULL "
                                   "AND user_id IS NULL"), 1);

    struct audit_ids x = {0};
    assert_int_equal(store_audit_list(f->db, "", 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 3);
    assert_true(x.id[0] > x.id[1] && x.id[1] > x.id[2]);       /* newest first */
    assert_string_equal(x.detail[2], "{}");
    assert_string_equal(x.detail[1], "{\"k\":1}");
    int64_t newest = x.id[0];
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, "", 0, newest, 1, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 1);
    assert_true(x.id[0] < newest);

    /* Scoped: the subtree of /1/2/ does not include /1/23/. */
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, t2.path, 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.detail[0], "{}");
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, t23.path, 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.detail[0], "{\"k\":1}");
    memset(&x, 0, sizeof x);
    assert_int_equal(store_audit_list(f->db, r.path, 0, 0, 100, collect_audit, &x), DB_OK);
    assert_int_equal(x.n, 2);

    /* Append-only: the database refuses changes and deletions. */
    assert_int_equal(db_exec_stmt(f->db, "UPDATE audit_log SET login = 'x'", ""), DB_CONSTRAINT);
    assert_int_equal(db_exec_stmt(f->db, "UPDATE audit_log SET detail = '{}' WHERE id = $1",
                                  "i", newest), DB_CONSTRAINT);
    assert_int_equal(db_exec_stmt(f->db, "DELETE FROM audit_log WHERE id = $1", "i", newest),
                     DB_CONSTRAINT);
    assert_int_equal(db_exec_stmt(f->db, "DELETE FROM audit_log", ""), DB_CONSTRAINT);
    /* An upsert that would update is an update. */
    assert_int_equal(db_exec_stmt(f->db,
        "INSERT INTO audit_log (id, at, login, addr, action, object_type, object_id, detail) "
        "VALUES ($1, 0, 'x', 'x', 'x', 'x', 'x', '{}') "
        "ON CONFLICT (id) DO UPDATE SET login = 'forged'", "i", newest), DB_CONSTRAINT);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log"), 3);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log WHERE login = 'cli'"), 3);
    /* Inside a transaction the refusal leaves the transaction usable. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_exec_stmt(f->db, "DELETE FROM audit_log", ""), DB_CONSTRAINT);
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log"), 4);

    /* The district: the org's (these have none) unless the caller, who
     * read the org, gives it. */
    struct org_rec d = add_org(f->db, "D", "district", t2.id);
    a.org_id = d.id;
    assert_int_equal(store_audit_insert(f->db, &a), DB_OK);
    a.district_id = d.id + 1000;        /* not the lookup's: kept as given */
    assert_int_equal(store_audit_insert_many(f->db, &a, 1), DB_OK);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log WHERE district_id = 0"), 4);
    assert_int_equal(scalar(f->db, "SELECT count(*) FROM audit_log WHERE district_id <> 0"), 2);
    struct db_stmt *st = db_run(f->db, "SELECT count(*) FROM audit_log WHERE district_id = $1",
                                "i", d.id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_i64(st, 0), 1);         /* the looked-up one only */
    db_done(st);
}

/* ---- backup ------------------------------------------------------------ */

static void test_backup(void **state)
{
    struct fx *f = *state;
    struct org_rec r = add_org(f->db, "R", "city", 0);
    add_org(f->db, "T", "town", r.id);
    char dest[128], err[256];
    snprintf(dest, sizeof dest, "%s/backup.db", f->dir);
    assert_int_equal(store_backup(f->s, dest, err, sizeof err), 0);

    struct store *b = store_open(dest, true, err, sizeof err);
    assert_non_null(b);
    struct db *db = store_acquire(b);
    assert_int_equal(store_schema_version(db), store_schema_latest());
    assert_int_equal(scalar(db, "SELECT count(*) FROM orgs"), 2);
    struct org_rec o;
    assert_int_equal(store_org_by_code(db, "T", &o), DB_OK);
    assert_int_equal(o.parent_id, r.id);
    store_release(b, db);
    store_close(b);

    /* An impossible destination fails with a message. */
    err[0] = 0;
    assert_int_equal(store_backup(f->s, "/nonexistent-ub-dir/x/backup.db", err, sizeof err), -1);
    assert_true(err[0] != 0);
}

int main(void)
{
#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_migrate_once_and_idempotent),
        FX(test_pool),
        FX(test_error_count),
        FX(test_db_binding),
        FX(test_db_rows),
        FX(test_db_error_codes),
        FX(test_transactions),
        FX(test_batch_writer),
        FX(test_batch_writer_sets),
        FX(test_group_commit_checkpoints),
        FX(test_org_insert_and_read),
        FX(test_org_path_limit),
        FX(test_subtree_count_random_tree),
        FX(test_org_search_like_escaping),
        FX(test_employers),
        FX(test_district_key),
        FX(test_users_and_sessions),
        FX(test_rate_limits),
        FX(test_audit_log_store),
        FX(test_backup),
    };
#undef FX
    return cmocka_run_group_tests(tests, NULL, NULL);
}
