/*
 * buf.h: a growable byte buffer for building whole responses and files.
 *
 * A buf owns its memory; buf_free() releases it and buf_steal() hands it to
 * the caller (who then frees it with free()).  Data is kept NUL-terminated.
 */
#ifndef UB_BUF_H
#define UB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "lib/util.h"

struct buf {
    char *data;
    size_t len, cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) UB_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends the contents of the file at path; returns 0, or -1 with errno
 * set (the buf may then hold part of it). */
int buf_read_file(struct buf *b, const char *path);
/* Appends n bytes of data in standard base64 (RFC 4648, with padding). */
void buf_base64(struct buf *b, const void *data, size_t n);
/* Returns the data (malloc'd, NUL-terminated) and empties the buf. */
char *buf_steal(struct buf *b, size_t *len);

#endif
