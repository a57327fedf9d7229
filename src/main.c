/*
 * main.c: the command table and dispatch.
 *
 * `unionbridge COMMAND [ARGS]`: one binary for the server and every
 * operator task.  Two-word commands ("user add") are matched first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <termios.h>

#include "cmd.h"

static const struct command commands[] = {
    {"init", cmd_init, "[--db URL] [--demo]",
     "Creates the database schema, the data key file and the account `admin`\n"
     "(role admin), printing its password once (or taking it from\n"
     "$UNIONBRIDGE_ADMIN_PASSWORD).  --demo loads the Beijing city federation,\n"
     "the Miyun district federation, its towns and sample employers."},
    {"serve", cmd_serve, "[--db URL] [--listen HOST:PORT] [--threads N] [--base-url URL] "
                         "[--trust-proxy] [--secure-cookies] [--join-rate N]",
     "Serves the JSON API, the join page and the staff console over HTTP.\n"
     "--trust-proxy takes the client address from X-Real-IP (behind nginx);\n"
     "--secure-cookies marks cookies Secure (behind TLS).  --base-url is the\n"
     "public address printed in QR codes (default http://LISTEN).  --join-rate\n"
     "caps join applications per client address per 10 minutes (default 2000,\n"
     "0 for none; $UNIONBRIDGE_JOIN_RATE)."},
    {"user add", cmd_user_add, "LOGIN --role ROLE --org CODE",
     "Creates a staff account; the password is read from stdin.  ROLE is\n"
     "admin, federation, union or viewer; the account acts only inside the\n"
     "subtree of CODE."},
    {"user passwd", cmd_user_passwd, "LOGIN",
     "Sets a staff account's password, read from stdin."},
    {"token create", cmd_token_create, "LOGIN",
     "Prints a Bearer token for scripts acting as LOGIN (no expiry)."},
    {"member token", cmd_member_token, "MEMBER_NO",
     "Prints a new personal token for a member: their member card (/card?t=TOKEN)\n"
     "and member actions (Bearer).  The member's previous token stops working."},
    {"backup", cmd_backup, "FILE",
     "Writes a consistent copy of the live database to FILE (which must not\n"
     "exist).  The key file is not included: back it up separately."},
    {"import members", cmd_import_members, "FILE.csv --org CODE [--report FILE] [--batch N]",
     "Imports a member roster in the columns of the Beijing 工会会员登记表 (姓名,\n"
     "身份证号 and 手机号 required; 是否外地来京务工 and 职工类别 read when present),\n"
     "saved by Excel as CSV in UTF-8 (with or without BOM) or GBK.  Every row is\n"
     "checked as a join is; good rows become active members of CODE, N rows per\n"
     "transaction (default 50000; lower it while a busy server shares the\n"
     "database).  People who already are members are counted, not changed, so\n"
     "importing a file again changes nothing.  Prints a summary; --report writes the\n"
     "refused rows (row, reason code, message, name) as CSV for Excel."},
    {"export members", cmd_export_members, "--org CODE --out FILE.xlsx [--reveal]",
     "Writes the members of CODE's subtree to an Excel workbook (sheet 会员名册),\n"
     "ID and phone numbers masked.  --reveal writes them in full (needs the key\n"
     "file; recorded in the audit log)."},
    {"demo-data", cmd_demo_data, "",
     "Adds the Miyun district's first half of 2025 to the demo tree of init --demo:\n"
     "worker and enterprise meetings in every town (94 in all), 747 workers joining\n"
     "through their QR codes, ten unions founded.  The dashboard then shows a real\n"
     "half-year (/console/reports?org=110118&from=2025-01-01&to=2025-06-30)."},
    {"report", cmd_report,
     "--org CODE --from DATE --to DATE [--format json|xlsx|csv] [--out FILE]",
     "Prints the summary report of CODE's whole subtree for the period (dates\n"
     "inclusive): activities, members joined by channel, unions founded, cards,\n"
     "leaflets and questions, with a row per child org; the same object as\n"
     "GET /api/v1/reports/summary.  xlsx needs --out."},
    {"stats rebuild", cmd_stats_rebuild, "",
     "Recomputes the counters reports read from the records, in one transaction\n"
     "(they are kept up to date as records change; this is for after a restore\n"
     "or a manual repair).  Prints how the totals changed, if they did."},
    {"qr", cmd_qr, "TEXT --out FILE.png|FILE.svg [--scale N]",
     "Renders TEXT as a QR code (error correction M, quiet zone)."},
};

const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cmd_usage(const char *name)
{
    const struct command *c = command_find(name);
    if (!c)
        return 1;
    printf("usage: unionbridge %s %s\n\n%s\n", c->name, c->args, c->help);
    if (strcmp(c->name, "qr") != 0)
        printf("\nThe database is --db URL, else $UNIONBRIDGE_DB, else "
               "sqlite:unionbridge.db.\n");
    return 0;
}

int cmd_fail(const struct ub_err *err)
{
    fprintf(stderr, "unionbridge: %s (%s)\n", err->msg, err->code);
    return 1;
}

int cmd_read_secret(const char *prompt, char *out, size_t n)
{
    struct termios old, quiet;
    bool tty = isatty(0) && tcgetattr(0, &old) == 0;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(0, TCSAFLUSH, &quiet);
    }
    char *line = fgets(out, (int)n, stdin);
    if (tty) {
        tcsetattr(0, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (!line)
        return -1;
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

int cmd_bad_option(const char *cmd, char **argv)
{
    extern int optind;
    fprintf(stderr, "unionbridge: %s: bad or incomplete option %s (try --help)\n", cmd,
            argv[optind - 1]);
    return 2;
}

const char *cmd_one_arg(int argc, char **argv, const char *name, const char *what,
                        struct app_options *o, int *status)
{
    static const struct option opts[] = {CMD_DB_OPTIONS, {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o->db = optarg; break;
        case 'K': o->key = optarg; break;
        case 'h': *status = cmd_usage(name); return NULL;
        default: *status = cmd_bad_option(name, argv); return NULL;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "unionbridge: %s: want %s\n", name, what);
        *status = 2;
        return NULL;
    }
    return argv[optind];
}

struct db *cmd_open_db(struct app *app, struct app_options *o)
{
    app_options_defaults(o);
    if (app_open(app, o, 0))
        return NULL;
    struct db *db = store_acquire(app->store);
    if (!db) {
        fprintf(stderr, "unionbridge: cannot open %s\n", app->db_url);
        app_close(app);
    }
    return db;
}

static void usage(FILE *f)
{
    fprintf(f, "UnionBridge (连心桥): trade-union organising and member services.\n\n"
               "usage: unionbridge COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].args);
    fprintf(f, "\n`unionbridge COMMAND --help` explains one command.\n");
}

int main(int argc, char **argv)
{
    /* Dates and periods are in the server's time zone: Beijing unless the
     * operator sets TZ. */
    if (!getenv("TZ"))
        setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("unionbridge 0.1.0\n");
        return 0;
    }
    if (argc >= 3) {
        char two[64];
        snprintf(two, sizeof two, "%s %s", argv[1], argv[2]);
        const struct command *c = command_find(two);
        if (c)
            return c->run(argc - 2, argv + 2);
    }
    const struct command *c = command_find(argv[1]);
    if (!c) {
        fprintf(stderr, "unionbridge: unknown command \"%s\" (try --help)\n", argv[1]);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
