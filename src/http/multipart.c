/*
 * multipart.c: splitting a multipart/form-data body into its parts
 * (multipart.h).
 *
 * The body is: a preamble, then for each part "--BOUNDARY" CRLF, header
 * lines, an empty line and the data, and finally "--BOUNDARY--".  A part's
 * data ends right before CRLF "--BOUNDARY", which it cannot contain (the
 * sender chose the boundary so).
 */
#include "http/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define BOUNDARY_MAX 70         /* RFC 2046 */

/* Copies the boundary parameter of a multipart/form-data content type
 * into out (BOUNDARY_MAX + 1); returns its length, or 0 if there is none. */
static size_t boundary_of(const char *ct, char *out)
{
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0
        || (ct[19] && ct[19] != ';' && ct[19] != ' '))
        return 0;
    for (const char *p = ct + 19; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        bool quoted = *p == '"';
        p += quoted;
        size_t n = quoted ? strcspn(p, "\"") : strcspn(p, "; \t");
        if (n == 0 || n > BOUNDARY_MAX || (quoted && p[n] != '"'))
            return 0;
        memcpy(out, p, n);
        out[n] = 0;
        return n;
    }
    return 0;
}

/* Finds needle (n bytes) in hay (len bytes); NULL if absent. */
static const char *find(const char *hay, size_t len, const char *needle, size_t n)
{
    return memmem(hay, len, needle, n);
}

/* Reads the value of parameter `key` (name or filename) from a
 * Content-Disposition header value [v, end) into the arena; NULL if it is
 * absent.  Browsers send values quoted, with " and CR LF percent-encoded. */
static const char *disposition_param(const char *v, const char *end, const char *key,
                                     struct arena *arena)
{
    size_t kl = strlen(key);
    for (const char *p = v; p < end; p++) {
        if (*p != ';')
            continue;
        const char *q = p + 1;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(end - q) <= kl || strncasecmp(q, key, kl) != 0 || q[kl] != '=')
            continue;
        q += kl + 1;
        const char *s = q, *e;
        if (q < end && *q == '"') {
            s = q + 1;
            e = memchr(s, '"', (size_t)(end - s));
            if (!e)
                return NULL;
        } else {
            e = s;
            while (e < end && *e != ';' && *e != ' ')
                e++;
        }
        return arena_strndup(arena, s, (size_t)(e - s));
    }
    return NULL;
}

/* Parses a part's header lines [h, end): fills name and filename.
 * Returns 0, or -1 without a form-data disposition and a name. */
static int part_headers(const char *h, const char *end, struct multipart_part *part,
                        struct arena *arena)
{
    part->name = part->filename = NULL;
    while (h < end) {
        const char *eol = find(h, (size_t)(end - h), "\r\n", 2);
        if (!eol)
            eol = end;
        static const char cd[] = "Content-Disposition:";
        if ((size_t)(eol - h) > sizeof cd - 1 && strncasecmp(h, cd, sizeof cd - 1) == 0) {
            const char *v = h + sizeof cd - 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0)
                return -1;
            part->name = disposition_param(v, eol, "name", arena);
            part->filename = disposition_param(v, eol, "filename", arena);
        }
        h = eol + 2;
    }
    return part->name ? 0 : -1;
}

int multipart_parse(const char *content_type, const char *body, size_t len,
                    struct multipart_part *parts, int max, struct arena *arena)
{
    char b[BOUNDARY_MAX + 1];
    /* The delimiter: CRLF "--" boundary; the first may open the body. */
    char delim[BOUNDARY_MAX + 5] = "\r\n--";
    size_t bl = boundary_of(content_type, b);
    if (!bl || !body)
        return -1;
    memcpy(delim + 4, b, bl);
    size_t dl = bl + 4;

    const char *p;
    if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
        p = body + dl - 2;
    else if ((p = find(body, len, delim, dl)) != NULL)
        p += dl;
    else
        return -1;
    const char *end = body + len;
    int n = 0;
    for (;;) {
        /* After a delimiter: "--" ends the body, CRLF starts a part. */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return n;
        while (p < end && (*p == ' ' || *p == '\t'))    /* transport padding */
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return -1;
        p += 2;
        const char *hend, *data;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p;                   /* no header lines at all */
            data = p + 2;
        } else if ((hend = find(p, (size_t)(end - p), "\r\n\r\n", 4)) != NULL) {
            data = hend + 4;
        } else {
            return -1;
        }
        const char *next = find(data, (size_t)(end - data), delim, dl);
        if (!next || n == max)
            return -1;
        struct multipart_part *part = &parts[n];
        if (part_headers(p, hend, part, arena))
            return -1;
        part->data = data;
        part->len = (size_t)(next - data);
        n++;
        p = next + dl;
    }
}
