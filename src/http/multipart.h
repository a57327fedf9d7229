/*
 * multipart.h: reading a multipart/form-data body (RFC 7578), the way a
 * browser sends a form with a file in it.
 *
 * The body is read whole (the server has buffered it) and never copied:
 * each part's data points into it.  Only what forms send is understood:
 * parts with a Content-Disposition of form-data and a name, optionally a
 * filename; no nested multipart, no transfer encodings.
 */
#ifndef UB_HTTP_MULTIPART_H
#define UB_HTTP_MULTIPART_H

#include <stddef.h>

#include "lib/arena.h"

struct multipart_part {
    const char *name;           /* the form field (arena) */
    const char *filename;       /* the file's name as sent (arena), NULL for a field */
    const char *data;           /* into the body; not NUL-terminated */
    size_t len;
};

/*
 * Splits body (len bytes, borrowed) sent with Content-Type content_type
 * into at most max parts.  Names and file names are copied into arena;
 * the data stays in body, which must outlive the parts.  Returns the
 * number of parts, or -1 if content_type is not multipart/form-data with
 * a boundary, the body does not follow it, or there are more than max
 * parts.
 */
int multipart_parse(const char *content_type, const char *body, size_t len,
                    struct multipart_part *parts, int max, struct arena *arena);

#endif
