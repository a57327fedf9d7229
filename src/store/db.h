/*
 * db.h: one database connection and its statements, whatever the backend.
 *
 * The store modules (store_*.c) write portable SQL once against this API:
 * `$1`-style placeholders, ON CONFLICT, RETURNING, integer epoch times.
 * A backend (sqlite.c; pg.c later) implements struct db_ops and differs only
 * where it must.  SQL text passed to db_run() must be a string literal: the
 * prepared statement is cached per connection under its address.
 *
 * Usage:
 *     struct db_stmt *st = db_run(db, "SELECT name FROM orgs WHERE code = $1",
 *                                 "s", code);
 *     int rc = db_step(st);            // DB_ROW, DB_DONE or < 0
 *     if (rc == DB_ROW) use(db_text(st, 0));
 *     db_done(st);                     // always, before the next db_run
 *
 * Text returned by db_text() is borrowed until the next db_step/db_done.
 */
#ifndef UB_DB_H
#define UB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DB_OK = 0,
    DB_ROW = 1,
    DB_DONE = 2,
    DB_ERROR = -1,      /* anything else: logged, counted in /metrics */
    DB_CONFLICT = -2,   /* unique or primary-key violation */
    DB_BUSY = -3,       /* lock timeout, serialization failure: retry */
    DB_NOTFOUND = -4,   /* used by store_* functions for "no such row" */
    DB_CONSTRAINT = -5, /* foreign key, check or not-null violation */
};

struct db;
struct db_stmt;

struct db_ops {
    const char *name;                    /* "sqlite" */
    /* Pairs of {{token}} and replacement applied to migration text, ending
     * in NULL: the schema's only dialect differences. */
    const char *const *dialect;
    struct db_stmt *(*prepare)(struct db *db, const char *sql);
    int (*bind_i64)(struct db_stmt *st, int i, int64_t v);
    int (*bind_text)(struct db_stmt *st, int i, const char *s);
    int (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
    int (*bind_null)(struct db_stmt *st, int i);
    /* A column of n values (see struct db_rows); NULL: rows are not taken
     * (the store writes them one statement each). */
    int (*bind_column)(struct db_stmt *st, int i, char type, bool nulls, size_t n,
                       const void *data, size_t len);
    int (*nparams)(struct db_stmt *st);
    int (*step)(struct db_stmt *st);
    int64_t (*col_i64)(struct db_stmt *st, int i);
    const char *(*col_text)(struct db_stmt *st, int i);
    const void *(*col_blob)(struct db_stmt *st, int i, size_t *n);
    bool (*col_null)(struct db_stmt *st, int i);
    void (*done)(struct db_stmt *st);
    int (*exec)(struct db *db, const char *sql);   /* a script, no values */
    /* One statement with no values whose text is a string literal (the
     * backend may keep it prepared, keyed by its address). */
    int (*exec_literal)(struct db *db, const char *sql);
    int (*begin)(struct db *db);                   /* a write transaction */
    int (*commit)(struct db *db);
    /* Commits like commit but may return before the commit is durable:
     * *ticket then names it for wait_durable (0: durable already). */
    int (*commit_nowait)(struct db *db, uint64_t *ticket);
    /* Returns once the commit named ticket is durable.  May be called
     * from another thread than the connection's. */
    void (*wait_durable)(struct db *db, uint64_t ticket);
    int (*rollback)(struct db *db);
    /* Inside a transaction: hold the schema lock until it ends, so that
     * processes starting together migrate one at a time. */
    int (*lock_schema)(struct db *db);
    const char *(*errmsg)(struct db *db);
    /* True while a transaction is open (and not failed) on db. */
    bool (*in_transaction)(struct db *db);
    /* Refreshes the planner's statistics (cheaply); may be a no-op. */
    int (*optimize)(struct db *db);
    /* False once the connection is broken (it is then closed, not pooled). */
    bool (*healthy)(struct db *db);
    void (*close)(struct db *db);
};

/* Every backend's connection starts with this header. */
struct db {
    const struct db_ops *ops;
    struct db *next_free;                /* the store's pool list */
    unsigned long errors;                /* DB_ERROR results seen */
    /* Nested: the connection is inside a transaction someone else opened
     * and will commit (the store's batch writer, writer.c).  db_begin,
     * db_commit and db_rollback then make, release and roll back to a
     * savepoint: a caller's "transaction" is all or nothing inside the
     * outer one, and durable only once the outer one commits. */
    bool nested;
    bool savepoint;                      /* nested: the savepoint is open */
    /* What pages cached by the server show (an org's name) changed in
     * the open transaction: its commit moves *generation on. */
    bool changed;
    uint64_t *generation;                /* the store's; NULL: none */
};

/*
 * Rows sent to the server at once, a column per placeholder: on
 * PostgreSQL each column is an array, `unnest($1::bigint[], $2::text[],
 * $3::bytea[])`, sent in binary (nothing for the server to parse but the
 * lengths).  SQLite does not take them: there a statement per row costs
 * no round trip.  Types as db_run's: 'i', 'I', 's', 'b'.
 *
 *     struct db_rows r;
 *     db_rows_init(&r, "isb");
 *     db_rows_add(&r, id, name, digest, (size_t)32);   // as db_run's values
 *     st = db_run(db, "... unnest($1::bigint[], $2::text[], $3::bytea[]) ...", "R", &r);
 *     db_rows_free(&r);                // after db_done
 *
 * A column's values are kept as PostgreSQL's binary arrays hold them (a
 * 4-byte big-endian length, -1 for NULL, then the bytes; integers as 8
 * big-endian bytes), so binding copies them once.
 */
struct db_column {
    char *data;
    size_t len, cap;
    bool nulls;
};
struct db_rows {
    const char *types;
    size_t ncols, n;
    struct db_column *cols;
};
void db_rows_init(struct db_rows *r, const char *types);
void db_rows_add(struct db_rows *r, ...);
void db_rows_free(struct db_rows *r);

/*
 * Prepares (or finds in the cache) `sql` and binds values described by
 * `types`, one char per placeholder: 'i' int64_t, 'I' int64_t with 0
 * binding NULL (an absent reference), 's' const char * (NULL binds NULL),
 * 'b' const void *, size_t (NULL binds NULL), 'n' NULL (no argument); and
 * 'R' const struct db_rows *, a placeholder per column.  The count must
 * equal the statement's placeholders.  Returns the statement, or NULL
 * after logging (bad SQL or a count mismatch are programming errors).
 */
struct db_stmt *db_run(struct db *db, const char *sql, const char *types, ...);

/* Steps; returns DB_ROW, DB_DONE or a negative DB_ code.  NULL st -> DB_ERROR. */
int db_step(struct db_stmt *st);
int64_t db_i64(struct db_stmt *st, int col);
const char *db_text(struct db_stmt *st, int col);   /* "" for NULL */
bool db_null(struct db_stmt *st, int col);
const void *db_blob(struct db_stmt *st, int col, size_t *n);
/* Resets the statement so it can be reused; NULL is allowed. */
void db_done(struct db_stmt *st);

/* Runs a statement that returns no rows (or ignores them).  Returns DB_OK or
 * a negative DB_ code. */
int db_exec_stmt(struct db *db, const char *sql, const char *types, ...);

/* Runs a semicolon-separated script with no values (migrations). */
int db_exec_script(struct db *db, const char *sql);

/* A write transaction (a savepoint when db->nested); db_rollback is a
 * no-op when none is open. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
/* True while db is inside a transaction (the outer one when nested). */
bool db_in_transaction(struct db *db);

/* Store functions that change what cached pages show call this: the
 * store's generation moves on when the change is committed (at once when
 * no transaction is open).  A commit made without db_commit (the batch
 * writer's) calls db_committed after it. */
void db_mark_changed(struct db *db);
void db_committed(struct db *db);
const char *db_errmsg(struct db *db);
const char *db_backend(struct db *db);

#endif
