/*
 * report.h: the summary report (CONTRACT.md) of an org's whole subtree for
 * a period, its monthly trend, and its files (XLSX, CSV).
 *
 * Every figure comes from the counters the store keeps per org and day
 * (store_stats.h), updated in the same transaction as the records they
 * count, so a report reads a few hundred rows whatever the subtree's size.
 */
#ifndef UB_REPORT_H
#define UB_REPORT_H

#include <jansson.h>

#include "domain/actor.h"
#include "lib/buf.h"

#define REPORT_MAX_DAYS 3660            /* a period of at most ten years */

/*
 * The summary of org's subtree (the actor's own org when NULL) for [from,
 * to]: {"org","name","from","to","activities":{total, worker_meetings,
 * enterprise_meetings},"members_joined":{total, via_qr, onsite, import},
 * "unions_founded":{total, headcount_100_plus},"cards_issued","materials":
 * {total, by_title},"questions":{total, by_topic},"people",
 * "members_by_category":{…},"by_org":[{org, name, …the same figures}]}.
 * Returns a new reference, or NULL with err.
 */
json_t *report_summary(struct db *db, const struct actor *a, const char *org,
                       const char *from, const char *to, struct ub_err *err);

/* The same figures month by month: [{"month":"YYYY-MM", …}] (every month
 * of the period, empty ones too). */
json_t *report_months(struct db *db, const struct actor *a, const char *org,
                      const char *from, const char *to, struct ub_err *err);

/* Recomputes the report counters from the records (admin only; audited),
 * in one transaction.  Returns the totals that changed, {"kind:label":
 * [before, after]} (empty when the kept counters were exact), or NULL with
 * err. */
json_t *report_rebuild(struct db *db, const struct actor *a, struct ub_err *err);

/* Writes a summary (from report_summary) as an XLSX workbook at path: a
 * summary sheet and a sheet of the child orgs with grouped headers.
 * Returns 0 or -1. */
int report_xlsx(const json_t *summary, const char *path);

/* Appends the summary as CSV (a BOM, a header, the org's row, then one row
 * per child org) to out. */
void report_csv(const json_t *summary, struct buf *out);

#endif
