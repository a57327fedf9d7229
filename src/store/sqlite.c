/*
 * sqlite.c: the SQLite backend.  Owns every SQLite-specific detail: PRAGMAs,
 * the `$N` -> `?N` placeholder mapping, error-code mapping, the per-connection
 * statement cache and the online backup.
 */
#include "store/sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

/* ---- The file's shared state ------------------------------------------ */

struct sqlite_file {
    char *path;
    pthread_mutex_t write_lock;     /* the process's writers, in turn */

    /* Group commit (all under sync_lock). */
    bool group;
    pthread_mutex_t sync_lock;
    pthread_cond_t work;            /* a committer waits: sync */
    pthread_cond_t done;            /* synced moved on */
    uint64_t committed, synced;     /* commit sequence numbers */
    uint64_t syncing;               /* the highest a sync under way covers */
    bool stop;
    bool no_wal;                    /* WAL refused (a file system without it) */
    pthread_t threads[2];           /* syncers: a commit made while one syncs
                                     * need not wait for it to end */

    /* Checkpoints under group commit: a thread of their own with a
     * connection of its own copies the WAL back into the database, so that
     * no committer pays for it (under sync_lock: ckpt_wanted, stop). */
    sqlite3 *ckpt_h;
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_work;
    bool ckpt_wanted;
    int wal_pages;                  /* frames in the WAL at the last request */
    int restart_at;                 /* frames from which to try a restart */
};

/* Process-wide settings, made before SQLite initialises: no memory
 * statistics, which would take a global mutex on every allocation (about
 * a tenth of the time of a bulk insert). */
static void configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* WAL pages a commit adds, since the last checkpoint it asked for, before
 * it asks for the next (16 MiB).  Each checkpoint pays the same again
 * whatever it copies (a sync of the WAL, one of the database, a walk of
 * the WAL index) and copies a page written many times in its span once:
 * asked for every 1,000 pages (SQLite's auto-checkpoint size), passes ran
 * one after another, each copying the last few batches, and took 16 us of
 * a durable join's 80-90 us; every 4,096 pages, 3 us, and the joins
 * benchmark's rate went up by a quarter. */
#define CHECKPOINT_PAGES 4096
/* WAL pages after which the checkpoint also restarts the WAL (64 MiB of
 * 4 KiB pages).  A writer starts the WAL over only when it begins while
 * every frame is already copied back; under writes without a pause that
 * never happens, and the WAL, though checkpointed, would grow without end.
 * A long WAL costs every write: past the file's end each frame needs a new
 * block and a new page in the page cache (with the restart at 1 GiB and
 * the file cut back to 64 MiB after each, the join benchmark's p99 at 256
 * connections was 40-70 ms; with a WAL that stays within 64 MiB, 21-26).
 * A restart holds writers up while it waits for readers to leave the WAL,
 * so it waits RESTART_WAIT_MS at most; one that could not be made (a long
 * read, an export, still under way) is tried again only once the WAL has
 * grown by another RESTART_PAGES.  The checkpointer is asked for one when
 * a checkpoint is (every CHECKPOINT_PAGES), so the first comes as soon as
 * the WAL is that long. */
#define RESTART_PAGES 16384
_Static_assert(RESTART_PAGES % CHECKPOINT_PAGES == 0, "a restart comes on time");
#define RESTART_WAIT_MS 20
/* The WAL file is cut back to this size when it starts over: a little
 * more than a restart's worth, so that in the usual cycle it is reused as
 * it is, and only a WAL that a long read made grow shrinks. */
#define WAL_KEEP_BYTES 83886080
#define STR_(x) #x
#define STR(x) STR_(x)
/* With 4 KiB pages (SQLite's default, the schema's) and a restart that
 * comes a little late (the checkpointer runs beside the writer). */
_Static_assert(WAL_KEEP_BYTES > (RESTART_PAGES + 2048) * 4120LL, "the usual WAL is kept whole");

struct sqlite_file *sqlite_file_new(const char *path)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    struct sqlite_file *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->restart_at = RESTART_PAGES;
    pthread_mutex_init(&f->write_lock, NULL);
    pthread_mutex_init(&f->sync_lock, NULL);
    pthread_cond_init(&f->work, NULL);
    pthread_cond_init(&f->done, NULL);
    pthread_cond_init(&f->ckpt_work, NULL);
    return f;
}

/* Makes the WAL durable up to now: fdatasync on our own descriptor of it
 * (*fd, the calling syncer's, opened here) flushes every write made to the
 * file through any descriptor. */
static void sync_wal(struct sqlite_file *f, int *fd)
{
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct stat a, b;
    if (*fd >= 0 && (fstat(*fd, &a) != 0 || stat(wal, &b) != 0
                     || a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
        close(*fd);
        *fd = -1;
    }
    if (*fd < 0) {
        *fd = open(wal, O_RDONLY | O_CLOEXEC);
        if (*fd < 0) {
            log_error("sqlite: cannot open %s to sync it: %s", wal, strerror(errno));
            abort();                /* no durability: stop before lying */
        }
        /* The WAL's directory entry must be durable too. */
        char *dir = xstrdup(f->path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    if (fdatasync(*fd) != 0) {
        /* As PostgreSQL does: after a failed sync the page cache can no
         * longer be trusted; stop rather than acknowledge lost writes. */
        log_error("sqlite: fdatasync of %s failed: %s", wal, strerror(errno));
        abort();
    }
}

static void *syncer(void *arg)
{
    struct sqlite_file *f = arg;
    int fd = -1;
    pthread_mutex_lock(&f->sync_lock);
    for (;;) {
        /* Work: commits that no sync under way covers. */
        while (!f->stop && f->committed <= f->syncing)
            pthread_cond_wait(&f->work, &f->sync_lock);
        if (f->committed <= f->syncing)
            break;                  /* stopping; the syncs under way end */
        uint64_t target = f->committed;
        f->syncing = target;
        pthread_mutex_unlock(&f->sync_lock);
        /* Started after commit `target` was written: covers it and all
         * before it, whichever sync under way ends first. */
        sync_wal(f, &fd);
        pthread_mutex_lock(&f->sync_lock);
        if (target > f->synced) {
            f->synced = target;
            pthread_cond_broadcast(&f->done);
        }
    }
    pthread_mutex_unlock(&f->sync_lock);
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* The restart's busy handler: polls often (the writer lock is free only
 * between two batches, for moments) until the deadline at *arg (all the
 * locks the restart waits for share it). */
static int restart_busy(void *arg, int count)
{
    (void)count;
    if (ub_mono_ns() >= *(uint64_t *)arg)
        return 0;
    usleep(100);
    return 1;
}

/* Every connection's busy handler: a short wait (a restart holding the
 * WAL for a few milliseconds) is noticed within a tenth of a millisecond,
 * a long one (another process's transaction) by steps of a millisecond,
 * for BUSY_WAIT_MS at most. */
#define BUSY_WAIT_MS 10000
static int busy_wait(void *arg, int count)
{
    (void)arg;
    if (count < 100) {
        usleep(100);
        return 1;
    }
    if (count >= 100 + BUSY_WAIT_MS)
        return 0;
    usleep(1000);
    return 1;
}

static void *checkpointer(void *arg)
{
    struct sqlite_file *f = arg;
    pthread_mutex_lock(&f->sync_lock);
    for (;;) {
        while (!f->stop && !f->ckpt_wanted)
            pthread_cond_wait(&f->ckpt_work, &f->sync_lock);
        if (f->stop)
            break;
        f->ckpt_wanted = false;
        int pages = f->wal_pages;
        if (pages < RESTART_PAGES)
            f->restart_at = RESTART_PAGES;  /* it started over meanwhile */
        bool restart = pages >= f->restart_at;
        pthread_mutex_unlock(&f->sync_lock);
        /* PASSIVE: copies what no reader still needs, never waits, and
         * writers go on appending to the WAL meanwhile.  RESTART, once the
         * WAL is long: copies the rest while writers wait (the passive
         * ones copied nearly all of it already), then waits for readers to
         * leave the WAL, so that the next commit writes it from the start
         * again (see RESTART_PAGES). */
        int rc;
        if (restart) {
            uint64_t deadline = ub_mono_ns() + RESTART_WAIT_MS * 1000000ull;
            sqlite3_busy_handler(f->ckpt_h, restart_busy, &deadline);
            rc = sqlite3_wal_checkpoint_v2(f->ckpt_h, NULL, SQLITE_CHECKPOINT_RESTART, NULL,
                                           NULL);
            sqlite3_busy_handler(f->ckpt_h, NULL, NULL);
            if (rc == SQLITE_BUSY)
                log_info("sqlite: the WAL of %s (%d pages) could not start over: a read or "
                         "a write held it; trying again %d pages later", f->path, pages,
                         RESTART_PAGES);
        } else {
            rc = sqlite3_wal_checkpoint_v2(f->ckpt_h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                           NULL);
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("sqlite: checkpoint of %s failed: %s", f->path, sqlite3_errmsg(f->ckpt_h));
        pthread_mutex_lock(&f->sync_lock);
        if (restart)
            f->restart_at = rc == SQLITE_OK ? RESTART_PAGES : pages + RESTART_PAGES;
    }
    pthread_mutex_unlock(&f->sync_lock);
    return NULL;
}

/* Replaces SQLite's auto-checkpoint on every connection under group
 * commit: asks the checkpointer instead of checkpointing in the commit. */
static int on_wal_commit(void *arg, sqlite3 *h, const char *name, int pages)
{
    (void)h;
    (void)name;
    struct sqlite_file *f = arg;
    pthread_mutex_lock(&f->sync_lock);
    if (pages < f->wal_pages)
        f->wal_pages = 0;               /* the WAL started over */
    if (pages - f->wal_pages >= CHECKPOINT_PAGES) {
        f->wal_pages = pages;
        f->ckpt_wanted = true;
        pthread_cond_signal(&f->ckpt_work);
    }
    pthread_mutex_unlock(&f->sync_lock);
    return SQLITE_OK;
}

int sqlite_file_group_commit(struct sqlite_file *f)
{
    if (f->group)
        return 0;
    if (f->no_wal) {
        /* Without a WAL every commit keeps syncing on its own. */
        log_warn("sqlite: %s is not in WAL mode; group commit stays off", f->path);
        return 0;
    }
    if (sqlite3_open_v2(f->path, &f->ckpt_h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        log_error("sqlite: cannot open %s for checkpoints: %s", f->path,
                  f->ckpt_h ? sqlite3_errmsg(f->ckpt_h) : "out of memory");
        sqlite3_close(f->ckpt_h);
        f->ckpt_h = NULL;
        return -1;
    }
    /* A connection opens the WAL only when it first reads; until then a
     * checkpoint through it (seen with SQLite 3.40) does nothing and says OK,
     * and the WAL grows without end. */
    if (sqlite3_exec(f->ckpt_h, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL)
        != SQLITE_OK) {
        log_error("sqlite: cannot read %s for checkpoints: %s", f->path,
                  sqlite3_errmsg(f->ckpt_h));
        sqlite3_close(f->ckpt_h);
        f->ckpt_h = NULL;
        return -1;
    }
    size_t started = 0;
    while (started < UB_ARRAY_LEN(f->threads)
           && pthread_create(&f->threads[started], NULL, syncer, f) == 0)
        started++;
    if (started < UB_ARRAY_LEN(f->threads)
        || pthread_create(&f->ckpt_thread, NULL, checkpointer, f) != 0) {
        pthread_mutex_lock(&f->sync_lock);
        f->stop = true;
        pthread_cond_broadcast(&f->work);
        pthread_mutex_unlock(&f->sync_lock);
        for (size_t i = 0; i < started; i++)
            pthread_join(f->threads[i], NULL);
        f->stop = false;
        return -1;
    }
    pthread_mutex_lock(&f->sync_lock);
    f->group = true;
    pthread_mutex_unlock(&f->sync_lock);
    return 0;
}

void sqlite_file_free(struct sqlite_file *f)
{
    if (!f)
        return;
    if (f->group) {
        pthread_mutex_lock(&f->sync_lock);
        f->stop = true;
        pthread_cond_broadcast(&f->work);
        pthread_cond_signal(&f->ckpt_work);
        pthread_mutex_unlock(&f->sync_lock);
        for (size_t i = 0; i < UB_ARRAY_LEN(f->threads); i++)
            pthread_join(f->threads[i], NULL);
        pthread_join(f->ckpt_thread, NULL);
    }
    sqlite3_close(f->ckpt_h);
    pthread_mutex_destroy(&f->write_lock);
    pthread_mutex_destroy(&f->sync_lock);
    pthread_cond_destroy(&f->work);
    pthread_cond_destroy(&f->done);
    pthread_cond_destroy(&f->ckpt_work);
    free(f->path);
    free(f);
}

/* Returns once commit number seq is durable. */
static void wait_durable(struct sqlite_file *f, uint64_t seq)
{
    pthread_mutex_lock(&f->sync_lock);
    while (f->synced < seq) {
        pthread_cond_signal(&f->work);
        pthread_cond_wait(&f->done, &f->sync_lock);
    }
    pthread_mutex_unlock(&f->sync_lock);
}

struct db_stmt {
    struct db *db;              /* must be first (see db.c) */
    sqlite3_stmt *st;
    const char *key;            /* the SQL literal's address */
    struct db_stmt *next;       /* the cache bucket's chain */
};

#define CACHE_SLOTS 256         /* hash buckets, chained; never evicts */

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    struct sqlite_file *file;       /* shared with the other connections */
    bool locked;                    /* this connection holds the writers' lock */
    bool normal;                    /* synchronous=NORMAL set (group commit) */
    struct db_stmt *cache[CACHE_SLOTS];
};

static const struct db_ops sqlite_ops;

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: return DB_OK;
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return DB_CONFLICT;
        return DB_CONSTRAINT;
    default: return DB_ERROR;
    }
}

/* Rewrites `$N` placeholders as `?N` outside quoted text; returns malloc'd. */
static char *map_placeholders(const char *sql)
{
    char *out = xstrdup(sql);
    char quote = 0;
    for (char *p = out; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            *p = '?';
        }
    }
    return out;
}

static size_t slot_of(const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 40) % CACHE_SLOTS;
}

static struct db_stmt *sq_prepare(struct db *db, const char *sql)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    size_t slot = slot_of(sql);
    for (struct db_stmt *c = s->cache[slot]; c; c = c->next)
        if (c->key == sql)
            return c;
    char *mapped = map_placeholders(sql);
    sqlite3_stmt *h;
    int rc = sqlite3_prepare_v3(s->h, mapped, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL);
    free(mapped);
    if (rc != SQLITE_OK)
        return NULL;
    struct db_stmt *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->st = h;
    st->key = sql;
    st->next = s->cache[slot];
    s->cache[slot] = st;
    return st;
}

static int sq_bind_i64(struct db_stmt *st, int i, int64_t v)
{
    return sqlite3_bind_int64(st->st, i, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct db_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
    return sqlite3_bind_blob64(st->st, i, p, n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_null(struct db_stmt *st, int i)
{
    return sqlite3_bind_null(st->st, i) == SQLITE_OK ? 0 : -1;
}

static int sq_nparams(struct db_stmt *st)
{
    return sqlite3_bind_parameter_count(st->st);
}

static int sq_step(struct db_stmt *st)
{
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return map_rc(rc);
    /* The extended code is on the connection. */
    return map_rc(sqlite3_extended_errcode(((struct sqlite_db *)st->db)->h));
}

static int64_t sq_col_i64(struct db_stmt *st, int i)
{
    return sqlite3_column_int64(st->st, i);
}

static const char *sq_col_text(struct db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st->st, i);
}

static const void *sq_col_blob(struct db_stmt *st, int i, size_t *n)
{
    const void *p = sqlite3_column_blob(st->st, i);
    *n = (size_t)sqlite3_column_bytes(st->st, i);
    return p;
}

static bool sq_col_null(struct db_stmt *st, int i)
{
    return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

static void sq_done(struct db_stmt *st)
{
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

static int sq_exec(struct db *db, const char *sql)
{
    return map_rc(sqlite3_exec(((struct sqlite_db *)db)->h, sql, NULL, NULL, NULL));
}

static int sq_exec_literal(struct db *db, const char *sql)
{
    struct db_stmt *st = sq_prepare(db, sql);
    if (!st)
        return DB_ERROR;
    int rc = sq_step(st);
    sqlite3_reset(st->st);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

static void unlock_writers(struct sqlite_db *s)
{
    if (s->locked) {
        s->locked = false;
        pthread_mutex_unlock(&s->file->write_lock);
    }
}

static int sq_begin(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    /* This process's writers take turns here, woken in order, rather than
     * polling SQLite's lock with sleeps; IMMEDIATE then takes the file's
     * write lock at once (the busy timeout covers other processes), so a
     * transaction never fails half way on a lock upgrade. */
    if (s->file->group && !s->normal) {
        /* Under group commit the syncer makes commits durable. */
        if (sq_exec(db, "PRAGMA synchronous=NORMAL") != DB_OK)
            return DB_ERROR;
        sqlite3_wal_hook(s->h, on_wal_commit, s->file);
        s->normal = true;
    }
    if (!s->locked) {
        pthread_mutex_lock(&s->file->write_lock);
        s->locked = true;
    }
    int rc = sq_exec_literal(db, "BEGIN IMMEDIATE");
    if (rc != DB_OK)
        unlock_writers(s);
    return rc;
}

static int sq_commit_nowait(struct db *db, uint64_t *ticket)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    struct sqlite_file *f = s->file;
    int rc = sq_exec_literal(db, "COMMIT");
    uint64_t seq = 0;
    if (rc == DB_OK && s->normal) {
        /* Numbered while still holding the writers' lock: in commit order. */
        pthread_mutex_lock(&f->sync_lock);
        seq = ++f->committed;
        pthread_cond_signal(&f->work);
        pthread_mutex_unlock(&f->sync_lock);
    }
    if (sqlite3_get_autocommit(s->h))
        unlock_writers(s);      /* a failed COMMIT may leave it open */
    *ticket = seq;
    return rc;
}

static void sq_wait_durable(struct db *db, uint64_t ticket)
{
    if (ticket)
        wait_durable(((struct sqlite_db *)db)->file, ticket);
}

static int sq_commit(struct db *db)
{
    uint64_t ticket;
    int rc = sq_commit_nowait(db, &ticket);
    sq_wait_durable(db, ticket);    /* the next writers go on meanwhile */
    return rc;
}

static int sq_rollback(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    int rc = sqlite3_get_autocommit(s->h) ? DB_OK : sq_exec_literal(db, "ROLLBACK");
    unlock_writers(s);
    return rc;
}

static int sq_lock_schema(struct db *db)
{
    (void)db;       /* BEGIN IMMEDIATE already excludes other writers */
    return DB_OK;
}

static int sq_optimize(struct db *db)
{
    /* Without statistics SQLite may walk a 100k-org subtree to list 50
     * employers; a bounded ANALYZE gives it the row counts it needs. */
    return sq_exec(db, "PRAGMA analysis_limit=1000; ANALYZE;");
}

static bool sq_in_transaction(struct db *db)
{
    return !sqlite3_get_autocommit(((struct sqlite_db *)db)->h);
}

/* Called as the connection goes back to the pool: a statement stepped
 * and never reset would keep its read transaction, and every later
 * request on this connection would read that old snapshot.  Reset it,
 * and say which it was. */
static bool sq_healthy(struct db *db)
{
    sqlite3 *h = ((struct sqlite_db *)db)->h;
    for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st)) {
        if (sqlite3_stmt_busy(st)) {
            log_warn("sqlite: a statement was left open: %.200s", sqlite3_sql(st));
            sqlite3_reset(st);
        }
    }
    return true;
}

static const char *sq_errmsg(struct db *db)
{
    return sqlite3_errmsg(((struct sqlite_db *)db)->h);
}

static void sq_close(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct db_stmt *c = s->cache[i];
        while (c) {
            struct db_stmt *next = c->next;
            sqlite3_finalize(c->st);
            free(c);
            c = next;
        }
    }
    sqlite3_close(s->h);
    free(s);
}

static const char *const sqlite_dialect[] = {
    "{{id}}", "INTEGER PRIMARY KEY",
    "{{bytes}}", "BLOB",
    "{{ctext}}", "TEXT",               /* byte-order text: BINARY is default */
    NULL,
};

static const struct db_ops sqlite_ops = {
    .name = "sqlite",
    .dialect = sqlite_dialect,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .nparams = sq_nparams,
    .step = sq_step,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_null = sq_col_null,
    .done = sq_done,
    .exec = sq_exec,
    .exec_literal = sq_exec_literal,
    .begin = sq_begin,
    .commit = sq_commit,
    .commit_nowait = sq_commit_nowait,
    .wait_durable = sq_wait_durable,
    .rollback = sq_rollback,
    .lock_schema = sq_lock_schema,
    .optimize = sq_optimize,
    .errmsg = sq_errmsg,
    .in_transaction = sq_in_transaction,
    .healthy = sq_healthy,
    .close = sq_close,
};

struct db *sqlite_open(struct sqlite_file *f, bool create, char *err, size_t errlen)
{
    const char *path = f->path;
    sqlite3 *h;
    int rc = sqlite3_open_v2(path, &h,
                             SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
                                 | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        if (!create && (rc & 0xff) == SQLITE_CANTOPEN)
            snprintf(err, errlen, "no database at %s (run `unionbridge init` first, "
                                  "or give --db)", path);
        else
            snprintf(err, errlen, "cannot open %s: %s", path,
                     h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_handler(h, busy_wait, NULL);
    sqlite3_extended_result_codes(h, 1);
    static const char pragmas[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "PRAGMA foreign_keys=ON;"
        /* REPLACE must fire delete triggers too (append-only audit log). */
        "PRAGMA recursive_triggers=ON;"
        "PRAGMA temp_store=MEMORY;"
        /* See WAL_KEEP_BYTES. */
        "PRAGMA journal_size_limit=" STR(WAL_KEEP_BYTES) ";"
        "PRAGMA cache_size=-16000;";
    char *msg = NULL;
    if (sqlite3_exec(h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_stmt *jm;
    if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &jm, NULL) == SQLITE_OK) {
        if (sqlite3_step(jm) == SQLITE_ROW
            && strcmp((const char *)sqlite3_column_text(jm, 0), "wal") != 0)
            f->no_wal = true;
        sqlite3_finalize(jm);
    }
    struct sqlite_db *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->h = h;
    s->file = f;
    return &s->base;
}

int sqlite_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    sqlite3 *out;
    if (sqlite3_open(dest, &out) != SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", dest, sqlite3_errmsg(out));
        sqlite3_close(out);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(out, "main", s->h, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        /* Copy in steps so writers are not held off for long. */
        do {
            rc = sqlite3_backup_step(b, 256);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep(20);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "backup to %s failed: %s", dest, sqlite3_errmsg(out));
        sqlite3_close(out);
        return -1;
    }
    /* The copy is a plain rollback-journal file, fsync'd on close. */
    sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(out);
    return 0;
}
