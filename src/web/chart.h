/*
 * chart.h: charts drawn on the server as inline SVG (no script, nothing
 * fetched), readable when printed.  Labels are escaped.
 */
#ifndef UB_CHART_H
#define UB_CHART_H

#include <jansson.h>
#include <stddef.h>

#include "lib/buf.h"

struct chart_series {
    const char *name;
    const json_int_t *values;           /* one per label */
    const char *css;                    /* "s1" or "s2": the fill */
};

/* Columns over labels (months), one or two series side by side, each
 * column with its value on top. */
void chart_columns(struct buf *b, const char *title, const char *const *labels, size_t n,
                   const struct chart_series *series, size_t nseries);

/* Horizontal bars, one per label (orgs, categories), with their values;
 * links[i] (may be NULL, or hold NULLs) makes a label a link. */
void chart_bars(struct buf *b, const char *title, const char *const *labels,
                const json_int_t *values, size_t n, const char *const *links);

#endif
