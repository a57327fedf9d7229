/*
 * metrics.c: lock-free counters and histograms for /metrics.
 */
#include "http/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static const int status_codes[] = {
    200, 201, 204, 303, 304, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429,
    499, 500, 503,
};
#define NSTATUS (UB_ARRAY_LEN(status_codes) + 1)     /* + "other" */

static const double bucket_le[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define NBUCKETS (UB_ARRAY_LEN(bucket_le) + 1)       /* + "+Inf" */

struct route_metrics {
    uint64_t by_status[NSTATUS];
    uint64_t buckets[NBUCKETS];     /* not cumulative; summed when rendered */
    uint64_t sum_ns;
    uint64_t count;
};

struct metrics {
    size_t n;                       /* routes + 1 */
    char **names;
    struct route_metrics *r;
};

struct metrics *metrics_new(size_t nroutes, const char *const *names)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    m->n = nroutes + 1;
    m->names = xcalloc(m->n, sizeof *m->names);
    for (size_t i = 0; i < nroutes; i++)
        m->names[i] = xstrdup(names[i]);
    m->names[nroutes] = xstrdup("unmatched");
    m->r = xcalloc(m->n, sizeof *m->r);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->names[i]);
    free(m->names);
    free(m->r);
    free(m);
}

void metrics_observe(struct metrics *m, int route, int status, uint64_t ns)
{
    struct route_metrics *rm = &m->r[route < 0 ? m->n - 1 : (size_t)route];
    size_t s = NSTATUS - 1;
    for (size_t i = 0; i < UB_ARRAY_LEN(status_codes); i++)
        if (status_codes[i] == status) {
            s = i;
            break;
        }
    double secs = (double)ns / 1e9;
    size_t b = NBUCKETS - 1;
    for (size_t i = 0; i < UB_ARRAY_LEN(bucket_le); i++)
        if (secs <= bucket_le[i]) {
            b = i;
            break;
        }
    __atomic_fetch_add(&rm->by_status[s], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&rm->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&rm->sum_ns, ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&rm->count, 1, __ATOMIC_RELAXED);
}

void metrics_render(struct metrics *m, unsigned long db_errors, struct buf *out)
{
    buf_puts(out, "# HELP ub_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE ub_http_requests_total counter\n");
    for (size_t i = 0; i < m->n; i++) {
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = __atomic_load_n(&m->r[i].by_status[s], __ATOMIC_RELAXED);
            if (!v)
                continue;
            if (s < NSTATUS - 1)
                buf_printf(out, "ub_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                           m->names[i], status_codes[s], (unsigned long long)v);
            else
                buf_printf(out, "ub_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                           m->names[i], (unsigned long long)v);
        }
    }
    buf_puts(out, "# HELP ub_http_request_duration_seconds Time to answer, by route.\n"
                  "# TYPE ub_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->n; i++) {
        uint64_t count = __atomic_load_n(&m->r[i].count, __ATOMIC_RELAXED);
        if (!count)
            continue;
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += __atomic_load_n(&m->r[i].buckets[b], __ATOMIC_RELAXED);
            if (b < NBUCKETS - 1)
                buf_printf(out, "ub_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                           m->names[i], bucket_le[b], (unsigned long long)cum);
            else
                buf_printf(out, "ub_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                           m->names[i], (unsigned long long)cum);
        }
        buf_printf(out, "ub_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                   m->names[i],
                   (double)__atomic_load_n(&m->r[i].sum_ns, __ATOMIC_RELAXED) / 1e9);
        buf_printf(out, "ub_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                   m->names[i], (unsigned long long)cum);
    }
    buf_printf(out, "# HELP ub_db_errors_total Database errors since start.\n"
                    "# TYPE ub_db_errors_total counter\n"
                    "ub_db_errors_total %lu\n", db_errors);
}
