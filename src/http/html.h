/*
 * html.h: HTML output that escapes by default.
 *
 * html_printf() is printf whose %s escapes its argument for HTML text and
 * attribute values (& < > " ').  Numbers print as usual.  Markup that we
 * wrote ourselves goes through html_raw_trusted(), whose name says what it
 * is: never pass it request data.
 */
#ifndef UB_HTML_H
#define UB_HTML_H

#include "lib/buf.h"

void html_escape(struct buf *b, const char *s);
void html_printf(struct buf *b, const char *fmt, ...) UB_PRINTF(2, 3);
void html_raw_trusted(struct buf *b, const char *markup);
/* Appends s percent-encoded for use inside a URL query or path segment. */
void html_url_escape(struct buf *b, const char *s);

#endif
