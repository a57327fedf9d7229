/*
 * metrics.h: request counters by route and status, and latency
 * histograms by route, updated with atomics from any worker thread.
 */
#ifndef UB_METRICS_H
#define UB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct metrics;

/* Makes counters for nroutes routes (plus one for "no route"); names[i]
 * labels route i. */
struct metrics *metrics_new(size_t nroutes, const char *const *names);
void metrics_free(struct metrics *m);
/* Counts one request on route (-1: none) with status and duration. */
void metrics_observe(struct metrics *m, int route, int status, uint64_t ns);
/* Appends the Prometheus text format; db_errors is reported as a counter. */
void metrics_render(struct metrics *m, unsigned long db_errors, struct buf *out);

#endif
