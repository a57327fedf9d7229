/*
 * store.c: opening the database, the connection pool, backups.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "store/sqlite.h"

struct store {
    char *url;
    char *path;                 /* sqlite: the file */
    pthread_mutex_t lock;
    struct db *free_list;       /* idle connections */
    struct db **all;            /* every connection, for closing */
    size_t nall;
    unsigned long closed_errors;
};

static struct db *open_conn(struct store *s, char *err, size_t errlen)
{
    return sqlite_open(s->path, err, errlen);
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
    const char *path = url;
    if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strncmp(url, "postgres://", 11) == 0
             || strncmp(url, "postgresql://", 13) == 0) {
        snprintf(err, errlen, "PostgreSQL is not supported by this build yet");
        return NULL;
    } else if (strstr(url, "://")) {
        snprintf(err, errlen, "unknown database URL %s (want sqlite:PATH)", url);
        return NULL;
    }
    if (!*path) {
        snprintf(err, errlen, "empty database path in %s", url);
        return NULL;
    }
    struct store *s = xcalloc(1, sizeof *s);
    s->url = xstrdup(url);
    s->path = xstrdup(path);
    pthread_mutex_init(&s->lock, NULL);
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
    for (size_t i = 0; i < s->nall; i++)
        s->all[i]->ops->close(s->all[i]);
    free(s->all);
    pthread_mutex_destroy(&s->lock);
    free(s->url);
    free(s->path);
    free(s);
}

struct db *store_acquire(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    struct db *db = s->free_list;
    if (db) {
        s->free_list = db->next_free;
        pthread_mutex_unlock(&s->lock);
        return db;
    }
    pthread_mutex_unlock(&s->lock);
    char err[256];
    db = open_conn(s, err, sizeof err);
    if (!db) {
        log_error("store: %s", err);
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    s->all = xrealloc(s->all, (s->nall + 1) * sizeof *s->all);
    s->all[s->nall++] = db;
    pthread_mutex_unlock(&s->lock);
    return db;
}

void store_release(struct store *s, struct db *db)
{
    if (!db)
        return;
    db_rollback(db);            /* a no-op unless a handler forgot */
    pthread_mutex_lock(&s->lock);
    db->next_free = s->free_list;
    s->free_list = db;
    pthread_mutex_unlock(&s->lock);
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

const char *store_backend(struct store *s)
{
    return s->all[0]->ops->name;
}

int store_backup(struct store *s, const char *dest, char *err, size_t errlen)
{
    struct db *db = store_acquire(s);
    if (!db) {
        snprintf(err, errlen, "cannot open the database");
        return -1;
    }
    int rc = sqlite_backup(db, dest, err, errlen);
    store_release(s, db);
    return rc;
}
