/*
 * app.c: configuration defaults and opening the database.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void app_options_defaults(struct app_options *o)
{
    if (!o->db)
        o->db = getenv("UNIONBRIDGE_DB");
    if (!o->db || !*o->db)
        o->db = "sqlite:unionbridge.db";
    if (!o->key)
        o->key = getenv("UNIONBRIDGE_KEY_FILE");
    if (!o->listen)
        o->listen = getenv("UNIONBRIDGE_LISTEN");
    if (!o->listen || !*o->listen)
        o->listen = "127.0.0.1:8080";
    if (!o->base_url)
        o->base_url = getenv("UNIONBRIDGE_BASE_URL");
    if (o->join_rate < 0) {
        const char *j = getenv("UNIONBRIDGE_JOIN_RATE");
        o->join_rate = j ? atoi(j) : 2000;
    }
    if (o->threads <= 0) {
        const char *t = getenv("UNIONBRIDGE_THREADS");
        o->threads = t ? atoi(t) : 0;
        if (o->threads <= 0)
            o->threads = 4;
    }
}

/* The key file sits beside an SQLite database unless configured. */
static void key_path(struct app *a)
{
    if (a->opt.key && *a->opt.key) {
        ub_strlcpy(a->key_path, a->opt.key, sizeof a->key_path);
        return;
    }
    const char *db = a->db_url;
    if (strncmp(db, "sqlite:", 7) == 0)
        db += 7;
    if (!strstr(db, "://"))
        snprintf(a->key_path, sizeof a->key_path, "%s.key", db);
    else
        ub_strlcpy(a->key_path, "unionbridge.key", sizeof a->key_path);
}

int app_open(struct app *a, const struct app_options *o, unsigned flags)
{
    memset(a, 0, sizeof *a);
    a->opt = *o;
    ub_strlcpy(a->db_url, o->db, sizeof a->db_url);
    key_path(a);
    if (o->base_url && *o->base_url)
        ub_strlcpy(a->base_url, o->base_url, sizeof a->base_url);
    else
        snprintf(a->base_url, sizeof a->base_url, "http://%s", o->listen);
    size_t bl = strlen(a->base_url);
    if (bl && a->base_url[bl - 1] == '/')
        a->base_url[bl - 1] = 0;
    if (crypto_init()) {
        fprintf(stderr, "unionbridge: cannot initialise libsodium\n");
        return -1;
    }
    char err[512];
    a->store = store_open(a->db_url, flags & APP_CREATE, err, sizeof err);
    if (!a->store) {
        fprintf(stderr, "unionbridge: %s\n", err);
        return -1;
    }
    char shown[512];
    store_url_redacted(a->db_url, shown, sizeof shown);
    if (flags & APP_MIGRATE) {
        if (store_migrate(a->store)) {
            fprintf(stderr, "unionbridge: cannot apply the schema migrations to %s\n", shown);
            app_close(a);
            return -1;
        }
    } else {
        struct db *db = store_acquire(a->store);
        int v = db ? store_schema_version(db) : -1;
        store_release(a->store, db);
        if (v != store_schema_latest()) {
            fprintf(stderr, "unionbridge: %s is %s (schema %d, this binary needs %d); "
                            "run `unionbridge init` or `serve` first\n", shown,
                    v <= 0 ? "not initialised" : "at another schema version", v,
                    store_schema_latest());
            app_close(a);
            return -1;
        }
    }
    if (crypto_key_load(a->key_path, a->key) == 0) {
        a->have_key = true;
        vault_init(&a->vault, a->key);
    } else if (flags & APP_NEED_KEY) {
        fprintf(stderr, "unionbridge: cannot read the key file %s (missing, or not "
                        "mode 0600); run `unionbridge init` first\n", a->key_path);
        app_close(a);
        return -1;
    }
    return 0;
}

void app_close(struct app *a)
{
    store_close(a->store);
    a->store = NULL;
}
