/*
 * csv.h: a small RFC 4180 reader over text held in memory.
 *
 * Fields are separated by commas and records by CRLF, LF or a lone CR.  A
 * field that starts with a double quote runs to the matching quote and may
 * hold commas, line breaks and doubled quotes ("" for one).  Like Excel,
 * the reader is lenient where RFC 4180 is silent: a quote inside an
 * unquoted field is an ordinary character, and text after a closing quote
 * is appended to the field.  A UTF-8 byte-order mark at the very start is
 * skipped.  The only error is a quoted field that never ends.
 *
 * The reader borrows the input (which must outlive it) and owns the
 * current record's fields, which stay valid until the next csv_next() or
 * csv_free() (the caller may trim them in place meanwhile).
 *
 *     struct csv_reader r;
 *     csv_init(&r, data, len);
 *     int rc;
 *     while ((rc = csv_next(&r)) == 1)
 *         use(r.fields, r.lens, r.nfields);
 *     csv_free(&r);          // rc is 0 at the end, -1 on a bad quote
 */
#ifndef UB_CSV_H
#define UB_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csv_reader {
    /* The current record, after csv_next() returned 1. */
    char **fields;              /* NUL-terminated texts, nfields of them; the
                                 * caller may change them in place */
    size_t *lens;               /* their lengths in bytes (a field may hold NUL) */
    size_t nfields;             /* >= 1: an empty line is one empty field */
    int64_t line;               /* physical line the record starts on (1-based) */
    int64_t record;             /* 1 for the first record, 2 for the next … */

    /* Private. */
    const char *p, *end;
    int64_t next_line;
    char *text;                 /* field bytes, NUL after each */
    size_t text_cap;
    size_t *offs;               /* field start offsets into text */
    size_t cap;                 /* room in fields, lens and offs */
};

#define CSV_BOM "\xEF\xBB\xBF"

/* Starts reading the len bytes at data (borrowed), skipping a UTF-8 BOM. */
void csv_init(struct csv_reader *r, const char *data, size_t len);

/*
 * Reads the next record into r->fields / r->lens / r->nfields.  Returns 1
 * for a record, 0 at the end of the input, -1 when a quoted field is not
 * closed before the end (r->line then names the line it started on).
 */
int csv_next(struct csv_reader *r);

/* Frees what the reader allocated (not the input). */
void csv_free(struct csv_reader *r);

/*
 * Appends s (len bytes) to out as one CSV field: quoted, with quotes
 * doubled, when it holds a comma, quote, CR or LF; as is otherwise.  out
 * is a struct buf (lib/buf.h).
 */
struct buf;
void csv_put_field(struct buf *out, const char *s, size_t len);

#endif
