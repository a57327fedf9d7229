/*
 * cmd_roster.c: `import members FILE.csv --org CODE [--report FILE]
 * [--batch N]` and `export members --org CODE --out FILE.xlsx [--reveal]`.
 *
 * Both act as the command line's admin (actor_cli); the work is the
 * domain's (domain/roster.h): this file reads and writes the files and
 * prints the outcome.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "domain/roster.h"
#include "lib/buf.h"


/* The largest roster read (a million rows take some 130 MB). */
#define ROSTER_FILE_MAX ((off_t)4 << 30)

/* Reads the whole file at path into a malloc'd buffer (the caller frees
 * it); returns NULL with errno set on failure (EFBIG past
 * ROSTER_FILE_MAX). */
static char *read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    int e = fstat(fd, &sb) != 0 ? errno
            : S_ISDIR(sb.st_mode) ? EISDIR
            : sb.st_size > ROSTER_FILE_MAX ? EFBIG : 0;
    if (e) {
        close(fd);
        errno = e;
        return NULL;
    }
    size_t cap = (size_t)sb.st_size + 1, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > (size_t)ROSTER_FILE_MAX) {     /* a pipe that does not end */
                free(data);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            data = xrealloc(data, cap);
        }
        ssize_t got = read(fd, data + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            e = errno;
            free(data);
            close(fd);
            errno = e;
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    *len = n;
    return data;
}

/* A file written beside its final name and renamed into place when
 * complete, so that a reader never sees half of it; owner-only, as the
 * report names people. */
struct out_file {
    char *path, *tmp;
    int fd;
};

/* Creates the temporary file for path; returns 0 or -1 (errno set). */
static int out_open(struct out_file *f, const char *path)
{
    size_t tl = strlen(path) + 8;
    f->path = xstrdup(path);
    f->tmp = xmalloc(tl);
    snprintf(f->tmp, tl, "%s.tmp", path);
    unlink(f->tmp);             /* a leftover would keep its mode */
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    return f->fd >= 0 ? 0 : -1;
}

/* Writes len bytes, syncs and renames into place (data NULL: gives up and
 * removes the temporary file).  Frees f; returns 0 or -1 (errno set). */
static int out_close(struct out_file *f, const char *data, size_t len)
{
    bool ok = f->fd >= 0 && data;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(f->fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(f->fd) == 0;
    if (f->fd >= 0 && close(f->fd) != 0)
        ok = false;
    ok = ok && rename(f->tmp, f->path) == 0;
    int e = errno;
    if (!ok)
        unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    errno = e;
    return ok ? 0 : -1;
}

/* True if s ends in suffix, ignoring case. */
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* `import members`: returns 0 when the file was processed, 1 when it or
 * the database failed, 2 for bad arguments. */
int cmd_import_members(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS,
        {"org", required_argument, NULL, 'o'},
        {"report", required_argument, NULL, 'r'},
        {"batch", required_argument, NULL, 'b'},
        {0, 0, 0, 0},
    };
    struct app_options o = {0};
    const char *org = NULL, *report = NULL;
    int64_t batch = ROSTER_BATCH;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'o': org = optarg; break;
        case 'r': report = optarg; break;
        case 'b':
            if (!ub_parse_i64(optarg, &batch) || batch < 1 || batch > ROSTER_BATCH_MAX) {
                fprintf(stderr, "unionbridge: import members: --batch wants 1..%d\n",
                        ROSTER_BATCH_MAX);
                return 2;
            }
            break;
        case 'h': return cmd_usage("import members");
        default: return cmd_bad_option("import members", argv);
        }
    }
    if (optind != argc - 1 || !org || !*org) {
        fprintf(stderr, "unionbridge: import members: want FILE.csv --org CODE\n");
        return 2;
    }
    const char *path = argv[optind];
    size_t len;
    char *data = read_all(path, &len);
    if (!data) {
        fprintf(stderr, "unionbridge: import members: cannot read %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    /* The report's file first: a report that cannot be written stops the
     * import before it starts. */
    struct out_file rf = {.fd = -1};
    if (report && out_open(&rf, report)) {
        fprintf(stderr, "unionbridge: import members: cannot write the report %s: %s\n",
                report, strerror(errno));
        out_close(&rf, NULL, 0);
        free(data);
        return 1;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db) {
        if (report)
            out_close(&rf, NULL, 0);
        free(data);
        return 1;
    }
    int status = 1;
    struct roster_report rep;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    roster_report_init(&rep, base);
    rep.batch = (int)batch;
    if (!app.have_key) {
        fprintf(stderr, "unionbridge: import members: cannot read the key file %s (missing, "
                        "or not mode 0600); run `unionbridge init` first\n", app.key_path);
        goto out;
    }
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    if (roster_import(db, &app.vault, &cli, org, data, len, &rep, &err)) {
        if (rep.imported > 0)     /* a storage error after some batches */
            fprintf(stderr, "unionbridge: %s (%s); %lld members were imported before it\n",
                    err.msg, err.code, (long long)rep.imported);
        else
            cmd_fail(&err);
        goto out;
    }
    printf("imported %lld, already members %lld, refused %lld of %lld rows\n",
           (long long)rep.imported, (long long)rep.already, (long long)rep.refused,
           (long long)rep.rows);
    status = 0;
    if (report) {
        struct buf b;
        buf_init(&b);
        roster_report_csv(&rep, &b);
        const char *shown = report;
        report = NULL;          /* out_close frees rf either way */
        if (out_close(&rf, b.data, b.len)) {
            fprintf(stderr, "unionbridge: import members: cannot write the report %s: %s\n",
                    shown, strerror(errno));
            status = 1;
        }
        buf_free(&b);
    }
out:
    if (report)
        out_close(&rf, NULL, 0);
    roster_report_free(&rep);
    store_release(app.store, db);
    app_close(&app);
    free(data);
    return status;
}

/* `export members`: returns 0, 1 on failure, 2 for bad arguments. */
int cmd_export_members(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_DB_OPTIONS,
        {"org", required_argument, NULL, 'o'},
        {"out", required_argument, NULL, 'O'},
        {"reveal", no_argument, NULL, 'R'},
        {0, 0, 0, 0},
    };
    struct app_options o = {0};
    const char *org = NULL, *out = NULL;
    bool reveal = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D': o.db = optarg; break;
        case 'K': o.key = optarg; break;
        case 'o': org = optarg; break;
        case 'O': out = optarg; break;
        case 'R': reveal = true; break;
        case 'h': return cmd_usage("export members");
        default: return cmd_bad_option("export members", argv);
        }
    }
    if (optind != argc || !org || !*org || !out || !*out) {
        fprintf(stderr, "unionbridge: export members: want --org CODE --out FILE.xlsx\n");
        return 2;
    }
    if (!ends_with(out, ".xlsx")) {
        fprintf(stderr, "unionbridge: export members: --out must end in .xlsx\n");
        return 2;
    }
    struct app app;
    struct db *db = cmd_open_db(&app, &o);
    if (!db)
        return 1;
    int status = 1;
    if (reveal && !app.have_key) {
        fprintf(stderr, "unionbridge: export members: --reveal needs the key file %s "
                        "(missing, or not mode 0600)\n", app.key_path);
        goto done;
    }
    struct actor cli;
    actor_cli(&cli);
    struct ub_err err;
    int64_t n;
    if (roster_export(db, app.have_key ? &app.vault : NULL, &cli, org, reveal, out, &n, &err)) {
        cmd_fail(&err);
        goto done;
    }
    printf("exported %lld members to %s%s\n", (long long)n, out,
           reveal ? " (ID and phone numbers in full)" : "");
    status = 0;
done:
    store_release(app.store, db);
    app_close(&app);
    return status;
}
