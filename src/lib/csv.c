/*
 * csv.c: the RFC 4180 reader of csv.h and the field writer.
 *
 * One pass over the input, copying each field's bytes (unquoted runs with
 * memcpy) into one growable text buffer, NUL-terminated; the field
 * pointers are fixed up once the record is complete, because the buffer
 * may move while it grows.
 */
#include "lib/csv.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"

void csv_init(struct csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    if (len >= 3 && memcmp(data, CSV_BOM, 3) == 0)
        r->p += 3;
    r->next_line = 1;
}

void csv_free(struct csv_reader *r)
{
    free(r->fields);
    free(r->lens);
    free(r->offs);
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* Makes room for n more bytes of field text. */
static void text_reserve(struct csv_reader *r, size_t used, size_t n)
{
    if (used + n <= r->text_cap)
        return;
    size_t cap = r->text_cap ? r->text_cap : 256;
    while (cap < used + n)
        cap *= 2;
    r->text = xrealloc(r->text, cap);
    r->text_cap = cap;
}

/* Starts field number r->nfields at text offset used. */
static void field_start(struct csv_reader *r, size_t used)
{
    if (r->nfields == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
        r->lens = xrealloc(r->lens, r->cap * sizeof *r->lens);
        r->offs = xrealloc(r->offs, r->cap * sizeof *r->offs);
    }
    r->offs[r->nfields++] = used;
}

int csv_next(struct csv_reader *r)
{
    const char *p = r->p, *end = r->end;
    if (p >= end)
        return 0;
    r->nfields = 0;
    r->line = r->next_line;
    r->record++;
    size_t used = 0;
    for (;;) {
        field_start(r, used);
        if (p < end && *p == '"') {
            /* Quoted: to the closing quote; "" is one quote. */
            int64_t started = r->next_line;
            p++;
            for (;;) {
                const char *q = p;
                while (q < end && *q != '"') {
                    if (*q == '\n' || (*q == '\r' && (q + 1 >= end || q[1] != '\n')))
                        r->next_line++;
                    q++;
                }
                text_reserve(r, used, (size_t)(q - p) + 1);
                memcpy(r->text + used, p, (size_t)(q - p));
                used += (size_t)(q - p);
                if (q >= end) {
                    r->line = started;
                    r->p = end;
                    return -1;
                }
                p = q + 1;                      /* past the quote */
                if (p < end && *p == '"') {     /* a doubled quote */
                    r->text[used++] = '"';
                    p++;
                    continue;
                }
                break;
            }
        }
        /* Unquoted text (or what follows a closing quote) up to a
         * separator. */
        const char *q = p;
        while (q < end && *q != ',' && *q != '\n' && *q != '\r')
            q++;
        text_reserve(r, used, (size_t)(q - p) + 1);
        memcpy(r->text + used, p, (size_t)(q - p));
        used += (size_t)(q - p);
        r->text[used++] = '\0';
        p = q;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        /* The end of the record: CRLF, LF, CR or the end of the input. */
        if (p < end) {
            if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p++;
            p++;
            r->next_line++;
        }
        break;
    }
    r->p = p;
    for (size_t i = 0; i < r->nfields; i++) {
        r->fields[i] = r->text + r->offs[i];
        size_t stop = i + 1 < r->nfields ? r->offs[i + 1] : used;
        r->lens[i] = stop - r->offs[i] - 1;
    }
    return 1;
}

void csv_put_field(struct buf *out, const char *s, size_t len)
{
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        buf_append(out, s, len);
        return;
    }
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            buf_putc(out, '"');
        buf_putc(out, s[i]);
    }
    buf_putc(out, '"');
}
