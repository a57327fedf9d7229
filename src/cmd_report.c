/*
 * cmd_report.c: `unionbridge report`: the summary report of an org's
 * subtree for a period, as JSON (the API's object), XLSX or CSV.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "domain/actor.h"
#include "domain/report.h"
#include "store/store.h"

/* Writes len bytes of data to path through a temporary file renamed into
 * place; returns 0 or -1 with errno set. */
static int write_file(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fflush(f) == 0 && ok && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    int e = errno;
    if (!ok)
        unlink(tmp);
    errno = e;
    return ok ? 0 : -1;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS,
        {"org", required_argument, NULL, 'o'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},
        {"out", required_argument, NULL, 'O'},
        {0, 0, 0, 0},
    };
    struct app_options o = {0};
    const char *org = NULL, *from = NULL, *to = NULL, *format = "json", *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'o': org = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'F': format = optarg; break;
        case 'O': out = optarg; break;
        case 'h': return cmd_usage("report");
        default: return cmd_bad_option("report", argv);
        }
    }
    if (optind != argc || !org || !from || !to) {
        fprintf(stderr, "unionbridge: report: want --org CODE --from DATE --to DATE\n");
        return 2;
    }
    bool xlsx = strcmp(format, "xlsx") == 0, csv = strcmp(format, "csv") == 0;
    if (!xlsx && !csv && strcmp(format, "json") != 0) {
        fprintf(stderr, "unionbridge: report: --format is json, xlsx or csv\n");
        return 2;
    }
    if (xlsx && !out) {
        fprintf(stderr, "unionbridge: report: --format xlsx needs --out FILE.xlsx\n");
        return 2;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    int status = 1;
    json_t *s = report_summary(db, &cli, org, from, to, &err);
    store_release(app.store, db);
    if (!s) {
        cmd_fail(&err);
        goto done;
    }
    if (xlsx) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", out);
        if (report_xlsx(s, tmp) || rename(tmp, out) != 0) {
            fprintf(stderr, "unionbridge: report: cannot write %s: %s\n", out, strerror(errno));
            unlink(tmp);
            goto done;
        }
        status = 0;
        goto done;
    }
    struct buf b;
    buf_init(&b);
    if (csv) {
        report_csv(s, &b);
    } else {
        char *text = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        buf_puts(&b, text);
        buf_putc(&b, '\n');
        free(text);
    }
    if (out ? write_file(out, b.data, b.len) != 0 : fwrite(b.data, 1, b.len, stdout) != b.len)
        fprintf(stderr, "unionbridge: report: cannot write %s: %s\n", out ? out : "stdout",
                strerror(errno));
    else
        status = 0;
    buf_free(&b);
done:
    json_decref(s);
    app_close(&app);
    return status;
}

int cmd_stats_rebuild(int argc, char **argv)
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
        case 'h': return cmd_usage("stats rebuild");
        default: return cmd_bad_option("stats rebuild", argv);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "unionbridge: stats rebuild: takes no arguments\n");
        return 2;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    json_t *changed = report_rebuild(db, &cli, &err);
    store_release(app.store, db);
    int status = 1;
    if (!changed) {
        cmd_fail(&err);
    } else {
        if (json_object_size(changed) == 0) {
            printf("counters rebuilt: unchanged\n");
        } else {
            printf("counters rebuilt: %zu totals changed\n", json_object_size(changed));
            const char *k;
            json_t *v;
            json_object_foreach(changed, k, v)
                printf("  %s: %lld -> %lld\n", k, (long long)json_integer_value(json_array_get(v, 0)),
                       (long long)json_integer_value(json_array_get(v, 1)));
        }
        status = 0;
    }
    json_decref(changed);
    app_close(&app);
    return status;
}
