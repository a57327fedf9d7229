/*
 * store.c: opening the database, the connection pool, backups.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "store/pg.h"
#include "store/sqlite.h"
#include "store/writer.h"

struct store {
    char *url;
    char *path;                 /* sqlite: the file; NULL for PostgreSQL */
    pthread_mutex_t lock;
    pthread_cond_t freed;       /* signalled when a connection comes back */
    size_t max;                 /* at most this many connections (0: no cap) */
    struct db *free_list;       /* idle connections */
    struct db **all;            /* every connection, for closing */
    size_t nall;
    size_t opening;             /* connections being opened right now */
    bool create;                /* sqlite: create the file if missing */
    struct sqlite_file *file;   /* sqlite: what its connections share */
    struct writer *writer;      /* the batch writer, once started */
    uint64_t generation;        /* see store_generation (atomic) */
    unsigned long closed_errors;
};

static struct db *open_conn(struct store *s, char *err, size_t errlen)
{
    struct db *db = s->path ? sqlite_open(s->file, s->create, err, errlen)
                            : pg_open(s->url, err, errlen);
    if (db)
        db->generation = &s->generation;
    return db;
}

uint64_t store_generation(struct store *s)
{
    return __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST);
}

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

struct store *store_open(const char *url, bool create, char *err, size_t errlen)
{
    const char *path = NULL;
    if (strncmp(url, "sqlite:", 7) == 0) {
        path = url + 7;
    } else if (!is_pg_url(url)) {
        if (strstr(url, "://")) {
            snprintf(err, errlen, "unknown database URL %s (want sqlite:PATH or "
                                  "postgresql://USER@HOST:PORT/DB)", url);
            return NULL;
        }
        path = url;
    }
    if (path && !*path) {
        snprintf(err, errlen, "empty database path in %s", url);
        return NULL;
    }
    struct store *s = xcalloc(1, sizeof *s);
    s->url = xstrdup(url);
    s->path = path ? xstrdup(path) : NULL;
    s->create = create;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    if (s->path)
        s->file = sqlite_file_new(s->path);
    struct db *db = open_conn(s, err, errlen);
    if (!db) {
        store_close(s);
        return NULL;
    }
    s->all = xmalloc(sizeof *s->all);
    s->all[s->nall++] = db;
    db->next_free = NULL;
    s->free_list = db;
    return s;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    writer_stop(s->writer);     /* runs what is queued first */
    for (size_t i = 0; i < s->nall; i++)
        s->all[i]->ops->close(s->all[i]);
    free(s->all);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed);
    sqlite_file_free(s->file);
    free(s->url);
    free(s->path);
    free(s);
}

void store_set_pool_max(struct store *s, size_t max)
{
    pthread_mutex_lock(&s->lock);
    s->max = max;
    pthread_mutex_unlock(&s->lock);
}

struct db *store_acquire(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    for (;;) {
        struct db *db = s->free_list;
        if (db) {
            s->free_list = db->next_free;
            pthread_mutex_unlock(&s->lock);
            return db;
        }
        if (!s->max || s->nall + s->opening < s->max)
            break;
        pthread_cond_wait(&s->freed, &s->lock);
    }
    s->opening++;
    pthread_mutex_unlock(&s->lock);
    char err[256];
    struct db *db = open_conn(s, err, sizeof err);
    pthread_mutex_lock(&s->lock);
    s->opening--;
    if (db) {
        s->all = xrealloc(s->all, (s->nall + 1) * sizeof *s->all);
        s->all[s->nall++] = db;
    } else {
        pthread_cond_signal(&s->freed);     /* let a waiter try instead */
    }
    pthread_mutex_unlock(&s->lock);
    if (!db)
        log_error("store: %s", err);
    return db;
}

void store_release(struct store *s, struct db *db)
{
    if (!db)
        return;
    db_rollback(db);            /* a no-op unless a handler forgot */
    bool healthy = db->ops->healthy(db);    /* outside the pool's lock */
    pthread_mutex_lock(&s->lock);
    if (!healthy) {
        /* A broken connection (the server restarted): drop it; the next
         * acquire opens a fresh one. */
        for (size_t i = 0; i < s->nall; i++) {
            if (s->all[i] == db) {
                s->all[i] = s->all[--s->nall];
                break;
            }
        }
        s->closed_errors += db->errors;
        pthread_cond_signal(&s->freed);
        pthread_mutex_unlock(&s->lock);
        db->ops->close(db);
        return;
    }
    db->next_free = s->free_list;
    s->free_list = db;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

int store_group_commit(struct store *s)
{
    return s->file ? sqlite_file_group_commit(s->file) : 0;
}

/* Writer connections for PostgreSQL: batches on two connections overlap
 * their round trips.  More contend in the server: their inserts meet in
 * the same index pages and lock the same org row for its foreign keys
 * (the join benchmark, 64 connections on two cores: 1 writer 13.3k
 * joins/s, 2 16.2-17.8k, 4 14.1-14.3k, 8 10.6k; PostgreSQL's CPU per join
 * 58 us with 2, 82 with 4). */
#define PG_WRITERS 2
/* Jobs in one PostgreSQL transaction: each job's savepoints take two
 * subtransaction ids, and past 64 of them in one transaction every
 * snapshot in the cluster gets slower (the subxid cache overflows). */
#define PG_BATCH_MAX 30
/* Jobs in one SQLite transaction: bounds how long the file's write lock
 * is held for the process's other writers. */
#define SQLITE_BATCH_MAX 1024

/* The batch writer's way to replace a broken connection. */
static struct db *reopen_conn(void *ud)
{
    char err[256];
    struct db *db = open_conn(ud, err, sizeof err);
    if (!db)
        log_error("store: the batch writer cannot reconnect: %s", err);
    return db;
}

int store_writer_start(struct store *s)
{
    if (s->writer)
        return 0;
    /* SQLite has one writer at a time whatever we do. */
    size_t n = s->path ? 1 : PG_WRITERS;
    struct db *dbs[PG_WRITERS];
    for (size_t i = 0; i < n; i++) {
        char err[256];
        dbs[i] = open_conn(s, err, sizeof err);
        if (!dbs[i]) {
            log_error("store: the batch writer cannot connect: %s", err);
            for (size_t k = 0; k < i; k++)
                dbs[k]->ops->close(dbs[k]);
            return -1;
        }
    }
    s->writer = writer_start(dbs, n, s->path ? SQLITE_BATCH_MAX : PG_BATCH_MAX, reopen_conn, s);
    if (!s->writer) {
        log_error("store: cannot start the batch writer");
        for (size_t i = 0; i < n; i++)
            dbs[i]->ops->close(dbs[i]);
        return -1;
    }
    return 0;
}

void store_submit(struct store *s, struct store_job *j)
{
    if (s->writer) {
        writer_submit(s->writer, j);
        return;
    }
    j->next = NULL;
    struct db *db = store_acquire(s);
    if (!db) {
        j->done(j, DB_ERROR);
        return;
    }
    writer_run_batch(db, j);
    store_release(s, db);
}

int store_optimize(struct store *s)
{
    struct db *db = store_acquire(s);
    if (!db)
        return DB_ERROR;
    int rc = db->ops->optimize(db);
    store_release(s, db);
    return rc;
}

unsigned long store_error_count(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned long n = s->closed_errors;
    for (size_t i = 0; i < s->nall; i++)
        n += s->all[i]->errors;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void store_url_redacted(const char *url, char *out, size_t n)
{
    /* postgresql://user:secret@host/db -> postgresql://user:***@host/db */
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (!at || !colon || colon > at) {
        ub_strlcpy(out, url, n);
        return;
    }
    snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
}

const char *store_backend(struct store *s)
{
    return s->path ? "sqlite" : "pg";
}

/* PostgreSQL: pg_dump takes a consistent snapshot in the custom format
 * (restore with pg_restore). */
static int pg_backup(struct store *s, const char *dest, char *err, size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start pg_dump");
        return -1;
    }
    if (pid == 0) {
        execlp("pg_dump", "pg_dump", "--format=custom", "--file", dest, "--dbname",
               s->url, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "pg_dump failed (exit %d; is postgresql-client installed?)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

int store_backup(struct store *s, const char *dest, char *err, size_t errlen)
{
    if (!s->path)
        return pg_backup(s, dest, err, errlen);
    struct db *db = store_acquire(s);
    if (!db) {
        snprintf(err, errlen, "cannot open the database");
        return -1;
    }
    int rc = sqlite_backup(db, dest, err, errlen);
    store_release(s, db);
    return rc;
}

int store_bulk_mode(struct db *db)
{
    if (strcmp(db_backend(db), "sqlite") != 0)
        return DB_OK;
    return db_exec_script(db, "PRAGMA synchronous = OFF");
}
