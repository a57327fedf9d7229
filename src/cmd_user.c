/*
 * cmd_user.c: `user add`, `user passwd` and `token create`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "domain/member.h"
#include "domain/staff.h"


int cmd_user_add(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS,
        {"role", required_argument, NULL, 'r'},
        {"org", required_argument, NULL, 'o'},
        {0, 0, 0, 0},
    };
    struct app_options o = {0};
    const char *role = NULL, *org = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'r': role = optarg; break;
        case 'o': org = optarg; break;
        case 'h': return cmd_usage("user add");
        default: return cmd_bad_option("user add", argv);
        }
    }
    if (optind != argc - 1 || !role) {
        fprintf(stderr, "unionbridge: user add: want LOGIN --role ROLE --org CODE\n");
        return 2;
    }
    const char *login = argv[optind];
    char pw[300];
    if (cmd_read_secret("password: ", pw, sizeof pw)) {
        fprintf(stderr, "unionbridge: user add: no password on stdin\n");
        return 1;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    struct user_rec u;
    int status = 0;
    if (staff_add(db, &cli, login, pw, role, org, &u, &err))
        status = cmd_fail(&err);
    else
        printf("created %s (%s) for %s\n", u.login, u.role,
               *u.org_code ? u.org_code : "the whole tree");
    store_release(app.store, db);
    app_close(&app);
    return status;
}

int cmd_user_passwd(int argc, char **argv)
{
    struct app_options o = {0};
    int status;
    const char *login = cmd_one_arg(argc, argv, "user passwd", "LOGIN", &o, &status);
    if (!login)
        return status;
    char pw[300];
    if (cmd_read_secret("new password: ", pw, sizeof pw)) {
        fprintf(stderr, "unionbridge: user passwd: no password on stdin\n");
        return 1;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    status = 0;
    if (staff_set_password(db, &cli, login, pw, &err))
        status = cmd_fail(&err);
    else
        printf("password changed for %s\n", login);
    store_release(app.store, db);
    app_close(&app);
    return status;
}

int cmd_token_create(int argc, char **argv)
{
    struct app_options o = {0};
    int status;
    const char *login = cmd_one_arg(argc, argv, "token create", "LOGIN", &o, &status);
    if (!login)
        return status;
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    struct staff_session s;
    status = 0;
    if (staff_token_create(db, &cli, login, &s, &err))
        status = cmd_fail(&err);
    else
        printf("%s\n", s.token);
    store_release(app.store, db);
    app_close(&app);
    return status;
}

int cmd_member_token(int argc, char **argv)
{
    struct app_options o = {0};
    int status;
    const char *no = cmd_one_arg(argc, argv, "member token", "MEMBER_NO", &o, &status);
    if (!no)
        return status;
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    char token[CRYPTO_TOKEN_LEN + 1];
    status = 0;
    if (member_token_create(db, &cli, no, token, &err))
        status = cmd_fail(&err);
    else
        printf("%s\n", token);
    store_release(app.store, db);
    app_close(&app);
    return status;
}
