/*
 * cmd_backup.c: `unionbridge backup FILE`: a consistent online copy.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

int cmd_backup(int argc, char **argv)
{
    struct app_options o = {0};
    int status;
    const char *dest = cmd_one_arg(argc, argv, "backup", "FILE", &o, &status);
    if (!dest)
        return status;
    if (access(dest, F_OK) == 0) {
        fprintf(stderr, "unionbridge: backup: %s exists; choose a new file\n", dest);
        return 1;
    }
    app_options_defaults(&o);
    struct app app;
    if (app_open(&app, &o, 0))
        return 1;
    char err[512];
    status = 0;
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
