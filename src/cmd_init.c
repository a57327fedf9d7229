/*
 * cmd_init.c: `unionbridge init`: schema, key file, first admin, demo data.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "domain/demo.h"
#include "domain/staff.h"


int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS, {"demo", no_argument, NULL, 'd'}, {0, 0, 0, 0},
    };
    struct app_options o = {0};
    bool demo = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'd': demo = true; break;
        case 'h': return cmd_usage("init");
        default: return cmd_bad_option("init", argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "unionbridge: init: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    app_options_defaults(&o);
    struct app app;
    if (app_open(&app, &o, APP_CREATE | APP_MIGRATE))
        return 1;
    int status = 1;
    if (!app.have_key) {
        if (crypto_key_create(app.key_path) != 0) {
            fprintf(stderr, "unionbridge: cannot create the key file %s: %s\n",
                    app.key_path, strerror(errno));
            goto out;
        }
        printf("created key file %s (mode 0600; back it up apart from the database)\n",
               app.key_path);
    }
    struct db *db = store_acquire(app.store);
    if (!db) {
        fprintf(stderr, "unionbridge: cannot open %s\n", app.db_url);
        goto out;
    }
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    struct user_rec admin;
    int rc = store_user_by_login(db, "admin", &admin);
    if (rc == DB_NOTFOUND) {
        const char *env = getenv("UNIONBRIDGE_ADMIN_PASSWORD");
        char pw[64];
        if (env && *env)
            ub_strlcpy(pw, env, sizeof pw);
        else
            crypto_random_alnum(pw, 17);
        if (staff_add(db, &cli, "admin", pw, "admin", NULL, &admin, &err)) {
            store_release(app.store, db);
            status = cmd_fail(&err);
            goto out;
        }
        if (env && *env)
            printf("admin account: admin (password from $UNIONBRIDGE_ADMIN_PASSWORD)\n");
        else
            printf("admin account: admin  password: %s  (shown once; change it with "
                   "`unionbridge user passwd admin`)\n", pw);
    } else if (rc != DB_OK) {
        store_release(app.store, db);
        fprintf(stderr, "unionbridge: cannot read accounts: %s\n", db_errmsg(db));
        goto out;
    } else {
        char shown[512];
        store_url_redacted(app.db_url, shown, sizeof shown);
        printf("database %s is already initialised (schema version %d)\n", shown,
               store_schema_version(db));
    }
    if (demo) {
        int64_t norgs = 0;
        bool empty = store_org_count(db, &norgs) == DB_OK && norgs == 0;
        if (norgs == 0 && !empty) {
            store_release(app.store, db);
            fprintf(stderr, "unionbridge: cannot read the org tree\n");
            goto out;
        }
        if (!empty) {
            printf("demo data not loaded: the org tree is not empty\n");
        } else if (demo_load(db, &cli, &err)) {
            store_release(app.store, db);
            status = cmd_fail(&err);
            goto out;
        } else {
            printf("demo data loaded: 北京市总工会 (110000) > 密云区总工会 (110118) and "
                   "its towns\n");
        }
    }
    store_release(app.store, db);
    status = 0;
out:
    app_close(&app);
    return status;
}

int cmd_demo_data(int argc, char **argv)
{
    static const struct option opts[] = {CMD_DB_OPTIONS, {0, 0, 0, 0}};
    struct app_options o = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'h': return cmd_usage("demo-data");
        default: return cmd_bad_option("demo-data", argv);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "unionbridge: demo-data: takes no arguments\n");
        return 2;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    int status = 1;
    if (!app.have_key) {
        fprintf(stderr, "unionbridge: demo-data: needs the key file %s (missing, or not mode "
                        "0600)\n", app.key_path);
        goto done;
    }
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    struct demo_counts n;
    store_bulk_mode(db);
    if (demo_half_year(db, &app.vault, &cli, &n, &err)) {
        cmd_fail(&err);
        goto done;
    }
    printf("demo half-year loaded: %d more events, %d members joined through QR codes, "
           "%d more unions founded (January to June 2025)\n", n.events, n.members, n.founded);
    status = 0;
done:
    store_release(app.store, db);
    app_close(&app);
    return status;
}
