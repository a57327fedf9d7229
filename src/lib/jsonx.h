/*
 * jsonx.h: small JSON helpers: counters in jansson documents, and a writer
 * of JSON text straight into a buf.
 */
#ifndef UB_JSONX_H
#define UB_JSONX_H

#include <jansson.h>
#include <stdint.h>

#include "lib/buf.h"

/* Adds n to the integer obj[key], creating it at 0 first. */
void json_bump(json_t *obj, const char *key, json_int_t n);

/* The integer at obj.a (.b when b is not NULL); 0 if absent. */
json_int_t json_int_at(const json_t *obj, const char *a, const char *b);

/*
 * The writer, for JSON made only to be handed on (an error answer, a
 * join's answer, an audit entry's detail): no tree of values, each its
 * own allocation, built to be thrown away.  Each call writes one value,
 * after key (inside an object) or with key NULL (inside an array, or at
 * the top); the comma before it is written when the text so far needs
 * one.  Strings are
 * UTF-8 (a byte that is not part of a well-formed character is written as
 * U+FFFD); the caller closes what it opens.
 */
void jw_open(struct buf *b, const char *key, char bracket);   /* '[' or '{' */
void jw_close(struct buf *b, char bracket);                   /* ']' or '}' */
void jw_str(struct buf *b, const char *key, const char *s);   /* NULL: null */
void jw_int(struct buf *b, const char *key, int64_t v);

#endif
