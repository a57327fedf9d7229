/*
 * cmd_backup.c: `unionbridge backup FILE`: a consistent online copy.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

int cmd_backup(int argc, char **argv)
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
        case 'h': return cmd_usage("backup");
        default: return cmd_bad_option("backup", argv);
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "unionbridge: backup: want FILE\n");
        return 2;
    }
    const char *dest = argv[optind];
    if (access(dest, F_OK) == 0) {
        fprintf(stderr, "unionbridge: backup: %s exists; choose a new file\n", dest);
        return 1;
    }
    app_options_defaults(&o);
    struct app app;
    if (app_open(&app, &o, 0))
        return 1;
    char err[512];
    int status = 0;
    if (store_backup(app.store, dest, err, sizeof err)) {
        fprintf(stderr, "unionbridge: backup: %s\n", err);
        unlink(dest);
        status = 1;
    } else {
        char shown[512];
        store_url_redacted(app.db_url, shown, sizeof shown);
        printf("backed up %s to %s\n", shown, dest);
    }
    app_close(&app);
    return status;
}
