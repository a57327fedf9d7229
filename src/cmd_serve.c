/*
 * cmd_serve.c: `unionbridge serve`: start the HTTP server and wait for
 * SIGINT or SIGTERM, then stop cleanly (requests in flight finish).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "http/server.h"
#include "lib/bodycache.h"
#include "lib/log.h"
#include "routes.h"
#include "domain/giveaway.h"
#include "site.h"
#include "web/page.h"

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS,
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"base-url", required_argument, NULL, 'b'},
        {"trust-proxy", no_argument, NULL, 'p'},
        {"secure-cookies", no_argument, NULL, 's'},
        {"join-rate", required_argument, NULL, 'j'},
        {0, 0, 0, 0},
    };
    struct app_options o = {.join_rate = -1};
    int c;
    int64_t threads = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'l': o.listen = optarg; break;
        case 'b': o.base_url = optarg; break;
        case 'p': o.trust_proxy = true; break;
        case 's': o.secure_cookies = true; break;
        case 'j': {
            int64_t n;
            if (!ub_parse_i64(optarg, &n) || n < 0 || n > 1000000) {
                fprintf(stderr, "unionbridge: serve: --join-rate wants 0..1000000\n");
                return 2;
            }
            o.join_rate = (int)n;
            break;
        }
        case 't':
            if (!ub_parse_i64(optarg, &threads) || threads < 1 || threads > 256) {
                fprintf(stderr, "unionbridge: serve: --threads wants 1..256\n");
                return 2;
            }
            o.threads = (int)threads;
            break;
        case 'h': return cmd_usage("serve");
        default: return cmd_bad_option("serve", argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "unionbridge: serve: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    app_options_defaults(&o);

    /* Block the stop signals before any thread starts, so they all inherit
     * the mask and only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct app app;
    if (app_open(&app, &o, APP_MIGRATE | APP_NEED_KEY))
        return 1;
    struct db *db = store_acquire(app.store);
    if (db) {
        store_session_purge(db, ub_now());
        store_release(app.store, db);
    }
    store_optimize(app.store);
    if (store_group_commit(app.store) || store_writer_start(app.store)) {
        fprintf(stderr, "unionbridge: serve: cannot start the commit syncer or writer\n");
        app_close(&app);
        return 1;
    }
    /* Join pages live a second at most: long enough to spare the database
     * under a crowd scanning one poster, short enough that a rename made
     * by another process sharing the database shows soon. */
    struct site site = {
        .vault = &app.vault,
        .join_pages = body_cache_new(256, 1000000000u),
        .base_url = app.base_url,
        .join_rate = o.join_rate,
        .giveaways = giveaway_cache_new(),
    };
    struct http_config cfg = {
        .listen = o.listen,
        .threads = o.threads,
        .body_limit = 1024 * 1024,
        .upload_limit = 16 * 1024 * 1024,      /* a roster of some 120,000 rows */
        .timeout = 30,
        .trust_proxy = o.trust_proxy,
        .secure_cookies = o.secure_cookies,
        .store = app.store,
        .app = &site,
        .error_page = page_error,
    };
    routes_table(&cfg.routes, &cfg.nroutes);
    store_set_pool_max(app.store, (size_t)o.threads);
    char err[256];
    struct http_server *srv = http_start(&cfg, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "unionbridge: serve: %s\n", err);
        giveaway_cache_free(site.giveaways);
        body_cache_free(site.join_pages);
        app_close(&app);
        return 1;
    }
    char shown[512];
    store_url_redacted(app.db_url, shown, sizeof shown);
    log_info("serving %s on http://%s (%d threads, %s backend)", shown, o.listen,
             o.threads, store_backend(app.store));
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("stopping on signal %d", sig);
    http_stop(srv);
    giveaway_cache_free(site.giveaways);
    body_cache_free(site.join_pages);
    app_close(&app);
    return 0;
}
