/*
 * cmd_qr.c: `unionbridge qr TEXT --out FILE.png|FILE.svg`.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/qr.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int cmd_qr(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"scale", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *out = NULL;
    int64_t scale = 10;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's':
            if (!ub_parse_i64(optarg, &scale) || scale < 1 || scale > 32) {
                fprintf(stderr, "unionbridge: qr: --scale wants 1..32\n");
                return 2;
            }
            break;
        case 'h': return cmd_usage("qr");
        default: return cmd_bad_option("qr", argv);
        }
    }
    if (optind != argc - 1 || !out) {
        fprintf(stderr, "unionbridge: qr: want TEXT --out FILE.png|FILE.svg\n");
        return 2;
    }
    bool svg = ends_with(out, ".svg");
    if (!svg && !ends_with(out, ".png")) {
        fprintf(stderr, "unionbridge: qr: --out must end in .png or .svg\n");
        return 2;
    }
    struct buf b;
    buf_init(&b);
    int rc = svg ? qr_svg(argv[optind], &b) : qr_png(argv[optind], (int)scale, &b);
    if (rc) {
        fprintf(stderr, "unionbridge: qr: the text cannot be encoded (empty or too long)\n");
        buf_free(&b);
        return 1;
    }
    /* Write beside the target and rename, so a reader never sees half. */
    size_t tl = strlen(out) + 8;
    char *tmp = xmalloc(tl);
    snprintf(tmp, tl, "%s.tmp", out);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write(fd, b.data, b.len) == (ssize_t)b.len && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, out) == 0;
    if (!ok) {
        fprintf(stderr, "unionbridge: qr: cannot write %s\n", out);
        unlink(tmp);
    }
    free(tmp);
    buf_free(&b);
    return ok ? 0 : 1;
}
