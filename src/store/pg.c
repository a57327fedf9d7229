/*
 * pg.c: the PostgreSQL backend.  Owns every libpq detail: connecting,
 * server-side prepared statements cached per connection, values sent as
 * text (blobs as binary), results read as text, and SQLSTATE mapping.
 *
 * A statement executes on its first db_step(); the whole result is kept
 * and later steps walk its rows.  Results are small by construction (every
 * list query has a LIMIT), so this costs nothing and keeps one round trip.
 */
#include "store/pg.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"

#define PG_MAX_PARAMS 32
#define CACHE_SLOTS 256

struct db_stmt {
    struct db *db;              /* must be first (see db.c) */
    const char *key;            /* the SQL literal's address */
    struct db_stmt *next;       /* cache chain */
    char name[16];
    int nparams;
    char *vals[PG_MAX_PARAMS];
    int lens[PG_MAX_PARAMS];
    int fmts[PG_MAX_PARAMS];
    PGresult *res;
    int row, nrows;
    unsigned char *blob;        /* last unescaped bytea */
};

/* Savepoint commands held back to ride with the next statement. */
#define PG_MAX_DEFERRED 8

struct pg_db {
    struct db base;
    PGconn *conn;
    struct db_stmt *cache[CACHE_SLOTS];
    unsigned nstmts;
    char err[512];
    /* The BEGIN that opens a transaction (begin_sql, first), and savepoint
     * commands inside one (string literals), wait here and go out with the
     * next statement in one round trip: a batch of joins makes five. */
    const char *deferred[PG_MAX_DEFERRED];
    int ndeferred;
    bool broken;                /* left in pipeline mode: not to be reused */
};

static const char begin_sql[] = "BEGIN";

/* True while the transaction's BEGIN waits among the deferred commands. */
static bool opening(const struct pg_db *p)
{
    return p->ndeferred > 0 && p->deferred[0] == begin_sql;
}

/* Maps a failed result's SQLSTATE to a DB_ code. */
static int map_state(const PGresult *res)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!st)
        return DB_ERROR;
    if (strcmp(st, "23505") == 0)
        return DB_CONFLICT;                         /* unique_violation */
    if (strncmp(st, "23", 2) == 0)
        return DB_CONSTRAINT;                       /* integrity constraints */
    if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0
        || strcmp(st, "55P03") == 0)
        return DB_BUSY;                             /* serialization, deadlock, lock */
    return DB_ERROR;
}

static void keep_error(struct pg_db *p, const PGresult *res)
{
    const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
    ub_strlcpy(p->err, m && *m ? m : PQerrorMessage(p->conn), sizeof p->err);
    p->err[strcspn(p->err, "\n")] = 0;
}

static size_t slot_of(const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 40) % CACHE_SLOTS;
}

static void clear_values(struct db_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->lens[i] = 0;
        st->fmts[i] = 0;
    }
}

static void clear_result(struct db_stmt *st)
{
    if (st->res)
        PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
    if (st->blob)
        PQfreemem(st->blob);
    st->blob = NULL;
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
    struct pg_db *p = (struct pg_db *)db;
    size_t slot = slot_of(sql);
    for (struct db_stmt *c = p->cache[slot]; c; c = c->next)
        if (c->key == sql)
            return c;
    struct db_stmt *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->key = sql;
    st->row = -1;
    snprintf(st->name, sizeof st->name, "s%u", p->nstmts++);
    PGresult *res = PQprepare(p->conn, st->name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        keep_error(p, res);
        PQclear(res);
        free(st);
        return NULL;
    }
    PQclear(res);
    res = PQdescribePrepared(p->conn, st->name);
    if (PQresultStatus(res) != PGRES_COMMAND_OK || PQnparams(res) > PG_MAX_PARAMS) {
        keep_error(p, res);
        PQclear(res);
        free(st);
        return NULL;
    }
    st->nparams = PQnparams(res);
    PQclear(res);
    st->next = p->cache[slot];
    p->cache[slot] = st;
    return st;
}

static int set_value(struct db_stmt *st, int i, char *v, int len, int fmt)
{
    if (i < 1 || i > st->nparams) {
        free(v);
        return -1;
    }
    free(st->vals[i - 1]);
    st->vals[i - 1] = v;
    st->lens[i - 1] = len;
    st->fmts[i - 1] = fmt;
    return 0;
}

static int pg_bind_i64(struct db_stmt *st, int i, int64_t v)
{
    char *s = xmalloc(24);
    snprintf(s, 24, "%lld", (long long)v);
    return set_value(st, i, s, 0, 0);
}

static int pg_bind_text(struct db_stmt *st, int i, const char *v)
{
    return set_value(st, i, xstrdup(v), 0, 0);
}

static int pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
    char *c = xmalloc(n ? n : 1);
    memcpy(c, p, n);
    return set_value(st, i, c, (int)n, 1);
}

static int pg_bind_null(struct db_stmt *st, int i)
{
    return set_value(st, i, NULL, 0, 0);
}

/* A column as a one-dimensional array in PostgreSQL's binary form: a
 * header, then the values as db_rows keeps them. */
static int pg_bind_column(struct db_stmt *st, int i, char type, bool nulls, size_t n,
                          const void *data, size_t len)
{
    uint32_t oid = type == 's' ? 25 : type == 'b' ? 17 : 20;   /* text, bytea, int8 */
    uint32_t head[5] = {n ? 1 : 0, nulls, oid, (uint32_t)n, 1};
    size_t hlen = n ? sizeof head : 3 * sizeof *head;
    if (len > (size_t)INT32_MAX - hlen)
        return -1;
    unsigned char *c = xmalloc(hlen + len + 1);
    for (size_t k = 0; k < hlen; k++)
        c[k] = (unsigned char)(head[k / 4] >> (24 - 8 * (k % 4)));
    if (len)
        memcpy(c + hlen, data, len);
    return set_value(st, i, (char *)c, (int)(hlen + len), 1);
}

static int pg_nparams(struct db_stmt *st)
{
    return st->nparams;
}

/*
 * Sends the deferred commands and then st's execution in one pipeline and
 * returns st's result (or the first deferred command's failure, after
 * which st did not run).  Returns NULL only when the connection failed.
 */
static PGresult *exec_with_deferred(struct pg_db *p, struct db_stmt *st)
{
    int n = p->ndeferred;
    p->ndeferred = 0;
    if (!PQenterPipelineMode(p->conn))
        return NULL;
    bool sent = true;
    for (int i = 0; i < n && sent; i++)
        sent = PQsendQueryParams(p->conn, p->deferred[i], 0, NULL, NULL, NULL, NULL, 0);
    sent = sent && PQsendQueryPrepared(p->conn, st->name, st->nparams,
                                       (const char *const *)st->vals, st->lens, st->fmts, 0)
           && PQpipelineSync(p->conn);
    /* Results come per command, each followed by NULL, then the sync. */
    PGresult *failed = NULL, *mine = NULL;
    int cmd = 0;
    while (sent) {
        PGresult *res = PQgetResult(p->conn);
        if (!res) {
            cmd++;
            continue;
        }
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (s == PGRES_FATAL_ERROR || s == PGRES_NONFATAL_ERROR || s == PGRES_BAD_RESPONSE) {
            if (!failed && cmd < n)
                failed = res;           /* the first failure: why st was skipped */
            else if (!mine && cmd == n)
                mine = res;
            else
                PQclear(res);
        } else if (cmd == n && !mine && s != PGRES_PIPELINE_ABORTED) {
            mine = res;
        } else {
            PQclear(res);
        }
        if (PQstatus(p->conn) == CONNECTION_BAD)
            break;
    }
    if (!PQexitPipelineMode(p->conn))
        p->broken = true;
    if (failed) {
        if (mine)
            PQclear(mine);
        return failed;
    }
    return mine;
}

static int pg_step(struct db_stmt *st)
{
    struct pg_db *p = (struct pg_db *)st->db;
    if (!st->res) {
        if (p->ndeferred)
            st->res = exec_with_deferred(p, st);
        else
            st->res = PQexecPrepared(p->conn, st->name, st->nparams,
                                     (const char *const *)st->vals, st->lens, st->fmts, 0);
        ExecStatusType s = PQresultStatus(st->res);
        if (s == PGRES_COMMAND_OK) {
            st->nrows = 0;
        } else if (s == PGRES_TUPLES_OK) {
            st->nrows = PQntuples(st->res);
        } else {
            keep_error(p, st->res);
            int rc = map_state(st->res);
            clear_result(st);
            return rc;
        }
        st->row = -1;
    }
    if (++st->row < st->nrows)
        return DB_ROW;
    return DB_DONE;
}

static int64_t pg_col_i64(struct db_stmt *st, int i)
{
    if (PQgetisnull(st->res, st->row, i))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (v[0] == 't' && v[1] == 0)
        return 1;                                   /* a boolean */
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct db_stmt *st, int i)
{
    if (PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

static const void *pg_col_blob(struct db_stmt *st, int i, size_t *n)
{
    *n = 0;
    if (PQgetisnull(st->res, st->row, i))
        return NULL;
    if (st->blob)
        PQfreemem(st->blob);
    st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), n);
    return st->blob;
}

static bool pg_col_null(struct db_stmt *st, int i)
{
    return PQgetisnull(st->res, st->row, i);
}

static void pg_done(struct db_stmt *st)
{
    clear_result(st);
    clear_values(st);
}

static int pg_exec(struct db *db, const char *sql)
{
    struct pg_db *p = (struct pg_db *)db;
    char *joined = NULL;
    if (p->ndeferred) {
        /* One simple query runs them all; it stops at the first error. */
        struct buf b;
        buf_init(&b);
        for (int i = 0; i < p->ndeferred; i++)
            buf_printf(&b, "%s; ", p->deferred[i]);
        buf_puts(&b, sql);
        joined = buf_steal(&b, NULL);
        p->ndeferred = 0;
    }
    PGresult *res = PQexec(p->conn, joined ? joined : sql);
    free(joined);
    ExecStatusType s = PQresultStatus(res);
    int rc = DB_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        keep_error(p, res);
        rc = map_state(res);
    }
    PQclear(res);
    return rc;
}

/* BEGIN waits for the transaction's first statement and goes with it. */
static int pg_begin(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    if (PQtransactionStatus(p->conn) != PQTRANS_IDLE || p->ndeferred)
        return pg_exec(db, begin_sql);
    p->deferred[p->ndeferred++] = begin_sql;
    return DB_OK;
}

static int pg_commit(struct db *db)
{
    return pg_exec(db, "COMMIT");
}

static int pg_exec_literal(struct db *db, const char *sql)
{
    struct pg_db *p = (struct pg_db *)db;
    /* Only inside a transaction: outside one, a failure could not wait
     * for the next statement to be reported. */
    if ((opening(p) || PQtransactionStatus(p->conn) == PQTRANS_INTRANS)
        && p->ndeferred < PG_MAX_DEFERRED) {
        p->deferred[p->ndeferred++] = sql;
        return DB_OK;
    }
    return pg_exec(db, sql);
}

static int pg_commit_nowait(struct db *db, uint64_t *ticket)
{
    *ticket = 0;                /* PostgreSQL answers COMMIT once durable */
    return pg_commit(db);
}

static void pg_wait_durable(struct db *db, uint64_t ticket)
{
    (void)db;
    (void)ticket;
}

static int pg_rollback(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    p->ndeferred = 0;           /* moot: everything goes */
    if (PQtransactionStatus(p->conn) == PQTRANS_IDLE)
        return DB_OK;
    return pg_exec(db, "ROLLBACK");
}

static int pg_lock_schema(struct db *db)
{
    /* Several serve processes may start at once: one migrates at a time. */
    return pg_exec(db, "SELECT pg_advisory_xact_lock(7242117)");
}

static int pg_optimize(struct db *db)
{
    (void)db;           /* autovacuum keeps the statistics */
    return DB_OK;
}

static const char *pg_errmsg(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    return p->err[0] ? p->err : PQerrorMessage(p->conn);
}

static bool pg_in_transaction(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    return opening(p) || PQtransactionStatus(p->conn) == PQTRANS_INTRANS;
}

static bool pg_healthy(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    return PQstatus(p->conn) == CONNECTION_OK && !p->broken;
}

static void pg_close(struct db *db)
{
    struct pg_db *p = (struct pg_db *)db;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct db_stmt *c = p->cache[i];
        while (c) {
            struct db_stmt *next = c->next;
            pg_done(c);
            free(c);
            c = next;
        }
    }
    PQfinish(p->conn);
    free(p);
}

static const char *const pg_dialect[] = {
    "{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    "{{bytes}}", "BYTEA",
    "{{ctext}}", "TEXT COLLATE \"C\"",
    NULL,
};

static const struct db_ops pg_ops = {
    .name = "pg",
    .dialect = pg_dialect,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .bind_column = pg_bind_column,
    .nparams = pg_nparams,
    .step = pg_step,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .done = pg_done,
    .exec = pg_exec,
    .exec_literal = pg_exec_literal,
    .begin = pg_begin,
    .commit = pg_commit,
    .commit_nowait = pg_commit_nowait,
    .wait_durable = pg_wait_durable,
    .rollback = pg_rollback,
    .lock_schema = pg_lock_schema,
    .optimize = pg_optimize,
    .errmsg = pg_errmsg,
    .in_transaction = pg_in_transaction,
    .healthy = pg_healthy,
    .close = pg_close,
};

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

struct db *pg_open(const char *url, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        char m[400];
        ub_strlcpy(m, PQerrorMessage(c), sizeof m);
        m[strcspn(m, "\n")] = 0;
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", m);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    struct pg_db *p = xcalloc(1, sizeof *p);
    p->base.ops = &pg_ops;
    p->conn = c;
    /* Times are integer epochs and text is UTF-8 whatever the server says. */
    if (pg_exec(&p->base, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'") != DB_OK) {
        snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", p->err);
        pg_close(&p->base);
        return NULL;
    }
    return &p->base;
}
