/*
 * db.c: the backend-independent half of db.h: binding by a type string,
 * and thin dispatch to the backend's operations.
 */
#include "store/db.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

void db_rows_init(struct db_rows *r, const char *types)
{
    r->types = types;
    r->ncols = strlen(types);
    r->n = 0;
    r->cols = xcalloc(r->ncols, sizeof *r->cols);
}

void db_rows_free(struct db_rows *r)
{
    for (size_t c = 0; c < r->ncols; c++)
        free(r->cols[c].data);
    free(r->cols);
    r->cols = NULL;
}

/* Appends a value of len bytes (NULL: the SQL NULL) to column c. */
static void put(struct db_column *c, const void *p, size_t len)
{
    if (c->len + 4 + len > c->cap) {
        c->cap = (c->len + 4 + len) * 2 + 64;
        c->data = xrealloc(c->data, c->cap);
    }
    uint32_t n = p ? (uint32_t)len : UINT32_MAX;
    unsigned char *at = (unsigned char *)c->data + c->len;
    for (int k = 0; k < 4; k++)
        at[k] = (unsigned char)(n >> (24 - 8 * k));
    if (p && len)
        memcpy(at + 4, p, len);
    c->len += 4 + (p ? len : 0);
    c->nulls |= !p;
}

static void put_i64(struct db_column *c, int64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)((uint64_t)v >> (56 - 8 * k));
    put(c, b, 8);
}

void db_rows_add(struct db_rows *r, ...)
{
    va_list ap;
    va_start(ap, r);
    for (size_t i = 0; i < r->ncols; i++) {
        struct db_column *c = &r->cols[i];
        switch (r->types[i]) {
        case 'i': put_i64(c, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            if (v)
                put_i64(c, v);
            else
                put(c, NULL, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            put(c, s, s ? strlen(s) : 0);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            put(c, p, va_arg(ap, size_t));
            break;
        }
        default: assert(!"db_rows: unknown type"); break;
        }
    }
    va_end(ap);
    r->n++;
}

static struct db_stmt *bind_va(struct db *db, const char *sql, const char *types,
                               va_list ap)
{
    struct db_stmt *st = db->ops->prepare(db, sql);
    if (!st) {
        db->errors++;
        log_error("db: prepare failed: %s: %.80s", db->ops->errmsg(db), sql);
        return NULL;
    }
    int n = 0, rc = 0;
    for (const char *t = types; *t && rc == 0; t++) {
        n++;
        switch (*t) {
        case 'i': rc = db->ops->bind_i64(st, n, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? db->ops->bind_i64(st, n, v) : db->ops->bind_null(st, n);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s ? db->ops->bind_text(st, n, s) : db->ops->bind_null(st, n);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            rc = p ? db->ops->bind_blob(st, n, p, len) : db->ops->bind_null(st, n);
            break;
        }
        case 'n': rc = db->ops->bind_null(st, n); break;
        case 'R': {                     /* a placeholder per column */
            const struct db_rows *r = va_arg(ap, const struct db_rows *);
            if (!db->ops->bind_column)
                rc = -1;
            for (size_t c = 0; c < r->ncols && rc == 0; c++)
                rc = db->ops->bind_column(st, n + (int)c, r->types[c], r->cols[c].nulls,
                                          r->n, r->cols[c].data, r->cols[c].len);
            n += (int)r->ncols - 1;
            break;
        }
        default: rc = -1; break;
        }
    }
    if (rc != 0 || n != db->ops->nparams(st)) {
        log_error("db: binding %d values (types \"%s\") failed for: %.80s",
                  n, types, sql);
        db->ops->done(st);
        db->errors++;
        return NULL;
    }
    return st;
}

struct db_stmt *db_run(struct db *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct db_stmt *st = bind_va(db, sql, types, ap);
    va_end(ap);
    return st;
}

int db_exec_stmt(struct db *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct db_stmt *st = bind_va(db, sql, types, ap);
    va_end(ap);
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        ;
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

/* The connection a statement belongs to is the first member of every
 * backend's statement struct. */
struct db_stmt_head {
    struct db *db;
};

int db_step(struct db_stmt *st)
{
    if (!st)
        return DB_ERROR;
    struct db *db = ((struct db_stmt_head *)st)->db;
    int rc = db->ops->step(st);
    if (rc == DB_ERROR) {
        db->errors++;
        log_error("db: %s", db->ops->errmsg(db));
    }
    return rc;
}

int64_t db_i64(struct db_stmt *st, int col)
{
    return ((struct db_stmt_head *)st)->db->ops->col_i64(st, col);
}

const char *db_text(struct db_stmt *st, int col)
{
    const char *s = ((struct db_stmt_head *)st)->db->ops->col_text(st, col);
    return s ? s : "";
}

bool db_null(struct db_stmt *st, int col)
{
    return ((struct db_stmt_head *)st)->db->ops->col_null(st, col);
}

const void *db_blob(struct db_stmt *st, int col, size_t *n)
{
    return ((struct db_stmt_head *)st)->db->ops->col_blob(st, col, n);
}

void db_done(struct db_stmt *st)
{
    if (st)
        ((struct db_stmt_head *)st)->db->ops->done(st);
}

int db_exec_script(struct db *db, const char *sql)
{
    int rc = db->ops->exec(db, sql);
    if (rc != DB_OK) {
        db->errors++;
        log_error("db: script failed: %s", db->ops->errmsg(db));
    }
    return rc;
}

void db_committed(struct db *db)
{
    if (db->changed && db->generation)
        __atomic_add_fetch(db->generation, 1, __ATOMIC_SEQ_CST);
    db->changed = false;
}

void db_mark_changed(struct db *db)
{
    db->changed = true;
    if (!db->ops->in_transaction(db))
        db_committed(db);
}

int db_begin(struct db *db)
{
    if (!db->nested)
        return db->ops->begin(db);
    assert(!db->savepoint);     /* the domain never nests transactions */
    int rc = db->ops->exec_literal(db, "SAVEPOINT tx");
    db->savepoint = rc == DB_OK;
    return rc;
}

int db_commit(struct db *db)
{
    if (!db->nested) {
        int rc = db->ops->commit(db);
        if (rc == DB_OK)
            db_committed(db);
        return rc;
    }
    if (!db->savepoint)
        return DB_ERROR;
    db->savepoint = false;
    return db->ops->exec_literal(db, "RELEASE tx");
}

int db_rollback(struct db *db)
{
    if (!db->nested) {
        db->changed = false;
        return db->ops->rollback(db);
    }
    if (!db->savepoint)
        return DB_OK;
    db->savepoint = false;
    int rc = db->ops->exec_literal(db, "ROLLBACK TO tx");
    int rc2 = db->ops->exec_literal(db, "RELEASE tx");
    return rc != DB_OK ? rc : rc2;
}

bool db_in_transaction(struct db *db) { return db->ops->in_transaction(db); }
const char *db_errmsg(struct db *db) { return db->ops->errmsg(db); }
const char *db_backend(struct db *db) { return db->ops->name; }
