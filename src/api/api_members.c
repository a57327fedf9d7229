/*
 * api_members.c: joining (public), the review of applications, members and
 * the join QR codes of orgs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "domain/member.h"
#include "domain/org.h"
#include "http/server.h"
#include "lib/jsonx.h"
#include "lib/qr.h"
#include "site.h"

/* ---- JSON forms -------------------------------------------------------- */

static void person_json(json_t *j, const struct person_rec *p)
{
    json_object_set_new(j, "name", json_string(p->name));
    json_object_set_new(j, "id_number", json_string(p->id_mask));
    json_object_set_new(j, "phone", json_string(p->phone_mask));
    json_object_set_new(j, "gender", json_string(p->gender));
    json_object_set_new(j, "birth_date", json_string(p->birth_date));
    json_object_set_new(j, "employer_name", json_string(p->employer_name));
    json_object_set_new(j, "employer_uscc",
                        *p->employer_uscc ? json_string(p->employer_uscc) : json_null());
    json_object_set_new(j, "category", json_string(p->category));
    json_object_set_new(j, "migrant", json_boolean(p->migrant));
}

static json_t *application_json(const struct application_rec *a)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id,
                          "status", a->status, "org", a->org_code, "org_name", a->org_name,
                          "channel", a->channel, "consent_version", a->consent_version);
    person_json(j, &a->p);
    json_object_set_new(j, "reason", *a->reason ? json_string(a->reason) : json_null());
    json_object_set_new(j, "member_no", *a->member_no ? json_string(a->member_no) : json_null());
    json_object_set_new(j, "created_at", api_time_json(a->created_at));
    json_object_set_new(j, "decided_at", api_time_json(a->decided_at));
    return j;
}

static json_t *member_json(const struct member_rec *m)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "member_no", m->member_no,
                          "status", m->status, "org", m->org_code, "org_name", m->org_name,
                          "channel", m->channel, "joined_on", m->joined_on);
    person_json(j, &m->p);
    json_object_set_new(j, "joined_at", api_time_json(m->joined_at));
    return j;
}

/* Parses :id as a positive integer; replies 404 otherwise. */
static int app_id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "application_not_found", "入会申请不存在");
        return -1;
    }
    return 0;
}

/* ---- Joining ------------------------------------------------------------ */

/*
 * A join goes through the store's batch writer: the fields are checked and
 * sealed here, on the request's thread; the request is then parked while
 * the writer records it with the batch's other joins (join_commit_many),
 * and answered once that batch is durable.
 */
struct join_call {
    struct api_write w;             /* first */
    const struct vault *vault;
    struct join_req q;
};

static int join_run_set(struct store_job **jobs, size_t n, struct db *db)
{
    struct join_req **reqs = xmalloc(n * sizeof *reqs);
    for (size_t i = 0; i < n; i++)
        reqs[i] = &((struct join_call *)jobs[i])->q;
    int rc = join_commit_many(db, ((struct join_call *)jobs[0])->vault, reqs, n);
    for (size_t i = 0; i < n; i++)
        api_write_settled(&((struct join_call *)jobs[i])->w, reqs[i]->status, &reqs[i]->err);
    free(reqs);
    return rc;
}

static void join_answer(struct api_write *w, struct req *r)
{
    struct join_call *c = (struct join_call *)w;
    if (c->q.replayed)
        req_add_header(r, "Idempotent-Replayed", "true");
    const struct join_result *res = &c->q.res;
    struct buf *b = reply_json_start(r, 201);
    jw_open(b, NULL, '{');
    jw_int(b, "application_id", res->application_id);
    jw_str(b, "status", res->status);
    jw_str(b, "access_token", res->access_token);
    jw_str(b, "org", res->org_code);
    jw_str(b, "org_name", res->org_name);
    if (*res->member_no)
        jw_str(b, "member_no", res->member_no);
    jw_close(b, '}');
    reply_json_end(r);
}

void api_join(struct req *r)
{
    static const char *const fields[] = {
        "name", "id_number", "phone", "employer_name", "employer_uscc", "category",
        "migrant", "consent_version", NULL,
    };
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct join_input in = {.migrant = -1};
    json_t *mig = json_object_get(j, "migrant");
    if (mig && !json_is_boolean(mig) && !json_is_null(mig)) {
        json_decref(j);
        reply_error(r, 400, "bad_type", "字段 migrant 应为 true 或 false");
        return;
    }
    if (mig && json_is_boolean(mig))
        in.migrant = json_is_true(mig);
    if (json_str_or_reply(r, j, "name", &in.name)
        || json_str_or_reply(r, j, "id_number", &in.id_number)
        || json_str_or_reply(r, j, "phone", &in.phone)
        || json_str_or_reply(r, j, "employer_name", &in.employer_name)
        || json_str_or_reply(r, j, "employer_uscc", &in.employer_uscc)
        || json_str_or_reply(r, j, "category", &in.category)
        || json_str_or_reply(r, j, "consent_version", &in.consent_version)) {
        json_decref(j);
        return;
    }
    const struct site *site = site_of(r);
    struct join_call *c = arena_zalloc(&r->arena, sizeof *c);
    c->w.job.run_set = join_run_set;
    c->w.answer = join_answer;
    c->vault = site->vault;
    /* The prepared join keeps copies of what it needs from the body. */
    join_prepare(site->vault, req_param(r, "token"), &in, r->addr,
                 req_header(r, "Idempotency-Key"), site->join_rate, &c->q.prep);
    json_decref(j);
    api_write_park(r, &c->w);
}

/* ---- Review -------------------------------------------------------------- */

static int add_application(void *ud, const struct application_rec *a)
{
    json_array_append_new(ud, application_json(a));
    return 0;
}

void api_applications_list(struct req *r)
{
    int64_t before, limit;
    if (page_or_reply(r, &before, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (application_list(r->db, &r->actor, req_query(r, "org"), req_query(r, "status"),
                         before, (int)limit, add_application, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (json_array_size(items) == (size_t)limit)
        json_object_set(out, "next_before",
                        json_object_get(json_array_get(items, (size_t)limit - 1), "id"));
    reply_json(r, 200, out);
}

void api_applications_get(struct req *r)
{
    int64_t id;
    if (app_id_or_reply(r, &id))
        return;
    struct application_rec *a = xmalloc(sizeof *a);
    struct ub_err err;
    if (application_get(r->db, &r->actor, id, a, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, application_json(a));
    free(a);
}

void api_applications_approve(struct req *r)
{
    int64_t id;
    if (app_id_or_reply(r, &id))
        return;
    struct member_rec *m = xmalloc(sizeof *m);
    struct ub_err err;
    if (application_approve(r->db, &r->actor, id, m, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
                                     "member_no", m->member_no, "status", "approved"));
    free(m);
}

void api_applications_reject(struct req *r)
{
    static const char *const fields[] = {"reason", NULL};
    int64_t id;
    if (app_id_or_reply(r, &id))
        return;
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *reason;
    struct ub_err err;
    if (json_str_or_reply(r, j, "reason", &reason)) {
        json_decref(j);
        return;
    }
    if (application_reject(r->db, &r->actor, id, reason, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "rejected"));
    json_decref(j);
}

void api_applications_bulk_approve(struct req *r)
{
    static const char *const fields[] = {"ids", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    json_t *ids = json_object_get(j, "ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 1000) {
        json_decref(j);
        reply_error(r, 400, "bad_type", "ids 应为1到1000个申请编号的数组");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (!json_is_integer(v)) {
            json_decref(j);
            reply_error(r, 400, "bad_type", "ids 中的每一项应为整数");
            return;
        }
    }
    json_t *approved = json_array(), *refused = json_array();
    struct member_rec *m = xmalloc(sizeof *m);
    json_array_foreach(ids, i, v) {
        struct ub_err err;
        json_int_t id = json_integer_value(v);
        if (application_approve(r->db, &r->actor, id, m, &err))
            json_array_append_new(refused, json_pack("{s:I, s:s, s:s}", "id", id, "error",
                                                     err.code, "message", err.msg));
        else
            json_array_append_new(approved, json_pack("{s:I, s:s}", "id", id, "member_no",
                                                      m->member_no));
    }
    free(m);
    json_decref(j);
    reply_json(r, 200, json_pack("{s:o, s:o}", "approved", approved, "refused", refused));
}

/* ---- Members --------------------------------------------------------------- */

static int add_member(void *ud, const struct member_rec *m)
{
    json_array_append_new(ud, member_json(m));
    return 0;
}

void api_members_list(struct req *r)
{
    int64_t before, limit;
    if (page_or_reply(r, &before, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (member_search(r->db, site_of(r)->vault, &r->actor, req_query(r, "org"),
                      req_query(r, "q"), before, (int)limit, add_member, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_members_get(struct req *r)
{
    struct member_rec *m = xmalloc(sizeof *m);
    struct ub_err err;
    if (member_get(r->db, &r->actor, req_param(r, "no"), m, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, member_json(m));
    free(m);
}

void api_members_reveal(struct req *r)
{
    char id[19], phone[12];
    struct ub_err err;
    if (member_reveal(r->db, site_of(r)->vault, &r->actor, req_param(r, "no"), id, phone, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "member_no", req_param(r, "no"),
                                 "id_number", id, "phone", phone));
}

/* ---- QR codes -------------------------------------------------------------- */

/* The absolute join URL of an org's token into url. */
static int join_url_or_reply(struct req *r, char *url, size_t n, struct org_rec *org)
{
    char token[JOIN_TOKEN_LEN + 1];
    struct ub_err err;
    if (org_join_token(r->db, &r->actor, req_param(r, "code"), org, token, &err)) {
        reply_err(r, &err);
        return -1;
    }
    snprintf(url, n, "%s/j/%s", site_of(r)->base_url, token);
    return 0;
}

void api_qr_reply(struct req *r, const char *url, bool svg)
{
    int64_t scale;
    if (query_int_or_reply(r, "scale", 12, 1, 32, &scale))
        return;
    if (svg ? qr_svg(url, &r->out) : qr_png(url, (int)scale, &r->out)) {
        reply_error(r, 500, "qr_failed", "无法生成二维码");
        return;
    }
    r->status = 200;
    r->ctype = svg ? "image/svg+xml" : "image/png";
    req_add_header(r, "Cache-Control", "private, max-age=300");
}

static void qr_reply(struct req *r, bool svg)
{
    char url[512];
    struct org_rec org;
    if (join_url_or_reply(r, url, sizeof url, &org) == 0)
        api_qr_reply(r, url, svg);
}

void api_orgs_qr_png(struct req *r)
{
    qr_reply(r, false);
}

void api_orgs_qr_svg(struct req *r)
{
    qr_reply(r, true);
}

/* ---- Transfers and status -------------------------------------------------- */

static json_t *transfer_json(const struct transfer_rec *t)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}",
                     "id", (json_int_t)t->id, "member_no", t->member_no,
                     "name", t->member_name, "from_org", t->from_code,
                     "from_org_name", t->from_name, "to_org", t->to_code,
                     "to_org_name", t->to_name, "status", t->status,
                     "note", *t->note ? t->note : NULL,
                     "requested_at", api_time_json(t->requested_at),
                     "decided_at", api_time_json(t->decided_at));
}

void api_members_transfer(struct req *r)
{
    static const char *const fields[] = {"to_org", "note", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *to, *note;
    if (json_str_or_reply(r, j, "to_org", &to) || json_str_or_reply(r, j, "note", &note)) {
        json_decref(j);
        return;
    }
    struct transfer_rec t;
    struct ub_err err;
    if (transfer_request(r->db, &r->actor, req_param(r, "no"), to, note, &t, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, transfer_json(&t));
    json_decref(j);
}

static int transfer_id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "transfer_not_found", "转接记录不存在");
        return -1;
    }
    return 0;
}

void api_transfers_accept(struct req *r)
{
    int64_t id;
    struct transfer_rec t;
    struct ub_err err;
    if (transfer_id_or_reply(r, &id))
        return;
    if (transfer_accept(r->db, &r->actor, id, &t, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, transfer_json(&t));
}

void api_transfers_cancel(struct req *r)
{
    int64_t id;
    struct ub_err err;
    if (transfer_id_or_reply(r, &id))
        return;
    if (transfer_cancel(r->db, &r->actor, id, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "cancelled"));
}

static int add_transfer(void *ud, const struct transfer_rec *t)
{
    json_array_append_new(ud, transfer_json(t));
    return 0;
}

void api_members_transfers(struct req *r)
{
    json_t *items = json_array();
    struct ub_err err;
    if (member_transfers(r->db, &r->actor, req_param(r, "no"), add_transfer, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_transfers_incoming(struct req *r)
{
    int64_t limit;
    if (query_int_or_reply(r, "limit", 100, 1, 1000, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (transfer_incoming(r->db, &r->actor, req_query(r, "org"), (int)limit, add_transfer,
                          items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_members_status(struct req *r)
{
    static const char *const fields[] = {"status", "reason", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *status, *reason;
    if (json_str_or_reply(r, j, "status", &status) || json_str_or_reply(r, j, "reason", &reason)) {
        json_decref(j);
        return;
    }
    struct member_rec *m = xmalloc(sizeof *m);
    struct ub_err err;
    if (member_set_status(r->db, &r->actor, req_param(r, "no"), status, reason, m, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, member_json(m));
    free(m);
    json_decref(j);
}

/* ---- The worker's own view --------------------------------------------------- */

/* The personal token: a Bearer header, else the join page's cookie. */
const char *api_member_token(struct req *r)
{
    const char *h = req_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return req_cookie(r, "ub_member");
}

void api_me(struct req *r)
{
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    struct member_rec *m = xmalloc(sizeof *m);
    struct application_rec *a = xmalloc(sizeof *a);
    struct ub_err err;
    bool is_member;
    if (member_by_token(db, api_member_token(r), &is_member, m, a, &err))
        reply_err(r, &err);
    else if (is_member)
        reply_json(r, 200, json_pack("{s:s, s:o}", "kind", "member", "member", member_json(m)));
    else
        reply_json(r, 200, json_pack("{s:s, s:o}", "kind", "application", "application",
                                     application_json(a)));
    free(m);
    free(a);
}
