/*
 * api.h: the JSON endpoints (one api_<resource>.c each) and the JSON
 * forms of records they share.
 */
#ifndef UB_API_H
#define UB_API_H

#include <jansson.h>

#include "http/req.h"
#include "store/store.h"

void api_healthz(struct req *r);
void api_metrics(struct req *r);

void api_auth_login(struct req *r);
void api_auth_logout(struct req *r);
void api_auth_me(struct req *r);

void api_orgs_list(struct req *r);
void api_orgs_create(struct req *r);
void api_orgs_get(struct req *r);
void api_orgs_update(struct req *r);

void api_employers_list(struct req *r);
void api_employers_create(struct req *r);
void api_employers_get(struct req *r);
void api_employers_update(struct req *r);

void api_audit_list(struct req *r);

void api_join(struct req *r);
void api_applications_list(struct req *r);
void api_applications_get(struct req *r);
void api_applications_approve(struct req *r);
void api_applications_reject(struct req *r);
void api_applications_bulk_approve(struct req *r);
void api_members_list(struct req *r);
void api_members_get(struct req *r);
void api_members_reveal(struct req *r);
void api_members_transfer(struct req *r);
void api_members_transfers(struct req *r);
void api_members_status(struct req *r);
void api_transfers_accept(struct req *r);
void api_transfers_incoming(struct req *r);
void api_transfers_cancel(struct req *r);
void api_me(struct req *r);
/* The worker's personal token from a request (Bearer, else cookie). */
const char *api_member_token(struct req *r);
void api_orgs_qr_png(struct req *r);
void api_orgs_qr_svg(struct req *r);
/* Replies with the QR code of url (PNG, ?scale=1..32, or SVG). */
void api_qr_reply(struct req *r, const char *url, bool svg);

void api_campaigns_list(struct req *r);
void api_campaigns_create(struct req *r);
void api_campaigns_get(struct req *r);
void api_campaigns_board(struct req *r);
void api_events_list(struct req *r);
void api_events_create(struct req *r);
void api_events_get(struct req *r);
void api_events_update(struct req *r);
void api_events_tally(struct req *r);
void api_events_qr_png(struct req *r);
void api_events_qr_svg(struct req *r);
void api_tally_labels_get(struct req *r);
void api_reports_summary(struct req *r);
void api_reports_months(struct req *r);
void api_foundings_list(struct req *r);
void api_foundings_create(struct req *r);
void api_foundings_get(struct req *r);
void api_foundings_step(struct req *r);
void api_foundings_alerts(struct req *r);
void api_foundings_summary(struct req *r);
void api_tally_labels_put(struct req *r);

/*
 * A handler's write done by the store's batch writer (api_write.c): embed
 * this first in a struct of the write's own, set `write` (runs on the
 * writer's connection: 0, or -1 with err) and `answer` (the reply when it
 * succeeded; a failure is replied from err), then call api_write_park and
 * return.  The reply goes out once the batch is durable.
 */
struct api_write {
    struct store_job job;           /* first: the job is the write */
    int (*write)(struct api_write *w, struct db *db);
    void (*answer)(struct api_write *w, struct req *r);
    /* Optional: called on the request's thread before the reply, with the
     * outcome as it stands once the batch is durable (or failed). */
    void (*settled)(struct api_write *w);
    struct req *r;
    struct store *store;
    struct ub_err err;
    int status;                     /* write's */
    int attempts;
};
void api_write_park(struct req *r, struct api_write *w);
/* Writes that run as a set with others of their kind instead: set
 * job.run_set (see struct store_job; each job is the api_write of a
 * call) before api_write_park.  It tells each write its status (0, or -1
 * with err) through api_write_settled. */
void api_write_settled(struct api_write *w, int status, const struct ub_err *err);

/* Replies with a workbook (as `filename`): fill writes it at path and
 * returns 0, or -1 after replying with an error of its own, or -1 without
 * (then 500 export_failed). */
void api_reply_workbook(struct req *r, const char *filename,
                        int (*fill)(struct req *r, const char *path, void *ud), void *ud);

/* JSON forms of records (new references). */
json_t *api_org_json(const struct org_rec *o);
json_t *api_employer_json(const struct employer_rec *e);
struct founding_rec;
json_t *api_founding_json(const struct founding_rec *f);
/* An ISO 8601 time string, or null for 0. */
json_t *api_time_json(int64_t t);

#endif
