/*
 * cmd.h: the command-line commands.  main.c holds the one table of them;
 * each cmd_*.c implements a few.  A command gets argv starting at its own
 * name, prints one clear line to stderr on failure and returns the exit
 * status.
 */
#ifndef UB_CMD_H
#define UB_CMD_H

#include "app.h"
#include "domain/err.h"

struct command {
    const char *name;           /* "user add" */
    int (*run)(int argc, char **argv);
    const char *args;           /* "LOGIN --role ROLE --org CODE" */
    const char *help;           /* what it does, a paragraph */
};

const struct command *command_find(const char *name);

/* Prints the command's usage to stdout (for --help) and returns 0. */
int cmd_usage(const char *name);

/* Prints "unionbridge: MESSAGE" for a domain error; returns 1. */
int cmd_fail(const struct ub_err *err);

/* Reads one line (the password) from stdin, without echo on a terminal,
 * into out; returns 0 or -1. */
int cmd_read_secret(const char *prompt, char *out, size_t n);

/*
 * Parses a command that takes the database options (--db, --key, --help)
 * and exactly one argument (`what`, for the error message).  Returns the
 * argument, or NULL with *status set to the exit status (0 after --help).
 */
const char *cmd_one_arg(int argc, char **argv, const char *name, const char *what,
                        struct app_options *o, int *status);

/* Opens the app (defaults filled into o, no migration) and takes a
 * connection for a short command; returns it, or NULL after printing why.
 * The caller gives it back with store_release() and then app_close(). */
struct db *cmd_open_db(struct app *app, struct app_options *o);

/* Reports a bad option (getopt returned '?' or ':') and returns 2. */
int cmd_bad_option(const char *cmd, char **argv);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user_add(int argc, char **argv);
int cmd_user_passwd(int argc, char **argv);
int cmd_token_create(int argc, char **argv);
int cmd_member_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_qr(int argc, char **argv);
int cmd_import_members(int argc, char **argv);
int cmd_export_members(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo_data(int argc, char **argv);
int cmd_stats_rebuild(int argc, char **argv);

/* Shared long options: every database command takes --db and --key. */
#define CMD_DB_OPTIONS                                                         \
    {"db", required_argument, NULL, 'D'}, {"key", required_argument, NULL, 'K'}, \
    {"help", no_argument, NULL, 'h'}

#endif
