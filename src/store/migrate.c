/*
 * migrate.c: the versioned schema migrations embedded in the binary.
 *
 * Each migration is one file under store/schema/.  Its text is portable SQL
 * with two kinds of dialect marks, resolved here for the connection's
 * backend: {{tokens}} replaced from the backend's dialect table, and
 * "-- @sqlite" / "-- @pg" / "-- @all" lines that start a section only that
 * backend (or every backend) runs.  Each migration runs in one transaction
 * together with its row in schema_migrations, so a crash leaves the schema
 * at a version boundary.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/embedded.h"
#include "lib/log.h"
#include "store/store.h"
#include "store/store_stats.h"

/* Each migration: its embedded SQL, and what must run after it in the
 * same transaction (NULL: nothing), such as filling a new table of kept
 * counters from the records already there. */
static const struct {
    const char *file;
    int (*after)(struct db *db);
} migrations[] = {
    {"store/schema/0001_foundation.sql", NULL},
    {"store/schema/0002_join.sql", NULL},
    {"store/schema/0003_outreach.sql", NULL},
    {"store/schema/0004_services.sql", NULL},
    {"store/schema/0006_founding.sql", NULL},
    {"store/schema/0007_stats.sql", store_stats_rebuild},
    {"store/schema/0008_stats_span.sql", NULL},
};

/* Returns the migration text for db's backend in out. */
static void resolve(struct db *db, const char *text, struct buf *out)
{
    const char *name = db->ops->name;
    bool keep = true;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
        if (strncmp(p, "-- @", 4) == 0) {
            const char *tag = p + 4;
            size_t tlen = strcspn(tag, " \r\n");
            keep = (tlen == 3 && strncmp(tag, "all", 3) == 0)
                || (tlen == strlen(name) && strncmp(tag, name, tlen) == 0);
        } else if (keep) {
            /* Substitute {{tokens}} on this line. */
            const char *q = p, *end = p + len;
            while (q < end) {
                const char *open = memchr(q, '{', (size_t)(end - q));
                if (!open || open + 1 >= end || open[1] != '{') {
                    buf_append(out, q, (size_t)(end - q));
                    break;
                }
                buf_append(out, q, (size_t)(open - q));
                const char *const *d = db->ops->dialect;
                for (; d && *d; d += 2) {
                    size_t n = strlen(d[0]);
                    if ((size_t)(end - open) >= n && strncmp(open, d[0], n) == 0) {
                        buf_puts(out, d[1]);
                        q = open + n;
                        break;
                    }
                }
                if (!d || !*d) {
                    buf_append(out, open, 2);
                    q = open + 2;
                }
            }
        }
        p += len;
    }
}

int store_schema_latest(void)
{
    return (int)(sizeof migrations / sizeof *migrations);
}

int store_schema_version(struct db *db)
{
    struct db_stmt *st = db_run(db, "SELECT max(version) FROM schema_migrations", "");
    int v = -1;
    if (st && db_step(st) == DB_ROW)
        v = db_null(st, 0) ? 0 : (int)db_i64(st, 0);
    db_done(st);
    return v;
}

int store_migrate(struct store *s)
{
    struct db *db = store_acquire(s);
    if (!db)
        return -1;
    int rc = -1;
    if (db_begin(db) != DB_OK || db->ops->lock_schema(db) != DB_OK
        || db_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")
               != DB_OK
        || db_commit(db) != DB_OK) {
        db_rollback(db);
        goto out;
    }
    for (size_t i = 0; i < sizeof migrations / sizeof *migrations; i++) {
        int version = (int)i + 1;
        if (db_begin(db) != DB_OK)
            goto out;
        if (db->ops->lock_schema(db) != DB_OK) {
            db_rollback(db);
            goto out;
        }
        /* Read the version inside the write transaction: two processes
         * starting at once apply each migration exactly once. */
        int have = store_schema_version(db);
        if (have < 0) {
            db_rollback(db);
            goto out;
        }
        if (have >= version) {
            db_rollback(db);
            continue;
        }
        const struct embedded_file *f = embedded_find(migrations[i].file);
        if (!f) {
            log_error("migrate: %s is not embedded", migrations[i].file);
            db_rollback(db);
            goto out;
        }
        struct buf sql;
        buf_init(&sql);
        resolve(db, (const char *)f->data, &sql);
        int ok = db_exec_script(db, sql.data ? sql.data : "") == DB_OK
              && (!migrations[i].after || migrations[i].after(db) == DB_OK)
              && db_exec_stmt(db, "INSERT INTO schema_migrations (version, applied_at) "
                                  "VALUES ($1, $2)", "ii", (int64_t)version, ub_now()) == DB_OK
              && db_commit(db) == DB_OK;
        buf_free(&sql);
        if (!ok) {
            log_error("migrate: %s failed: %s", migrations[i].file, db_errmsg(db));
            db_rollback(db);
            goto out;
        }
        log_info("migrate: applied %s", migrations[i].file);
    }
    rc = 0;
out:
    store_release(s, db);
    return rc;
}
