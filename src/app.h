/*
 * app.h: the running program's configuration and shared handles.
 *
 * A struct app is built once at start-up from flags and the environment,
 * then treated as immutable: request handlers read it from any thread.
 */
#ifndef UB_APP_H
#define UB_APP_H

#include <stdbool.h>

#include "lib/crypto.h"
#include "store/store.h"

struct app_options {
    const char *db;             /* --db, $UNIONBRIDGE_DB, sqlite:unionbridge.db */
    const char *key;            /* --key, $UNIONBRIDGE_KEY_FILE, DB path + ".key" */
    const char *listen;         /* serve: --listen */
    const char *base_url;       /* serve: --base-url, for absolute links */
    int threads;                /* serve: --threads */
    bool trust_proxy;           /* serve: --trust-proxy */
    bool secure_cookies;        /* serve: --secure-cookies */
    int join_rate;              /* serve: --join-rate, per address per 10 min */
};

struct app {
    struct app_options opt;
    char db_url[512];
    char key_path[528];
    char base_url[256];
    struct store *store;
    unsigned char key[CRYPTO_KEY_BYTES];
    bool have_key;
    struct vault vault;             /* derived from key when have_key */
};

/* Fills defaults from the environment into o (flags already parsed keep
 * their values). */
void app_options_defaults(struct app_options *o);

enum {
    APP_CREATE = 1 << 0,        /* create an SQLite file that is missing (init) */
    APP_MIGRATE = 1 << 1,       /* apply pending migrations (init, serve) */
    APP_NEED_KEY = 1 << 2,      /* fail without the key file (serve) */
};

/* Opens the database named by the options as `flags` say and loads the key
 * file when it exists.  Without APP_MIGRATE the schema must already be
 * current.  Returns 0, or -1 after printing one line to stderr. */
int app_open(struct app *a, const struct app_options *o, unsigned flags);
void app_close(struct app *a);

#endif
