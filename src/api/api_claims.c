/*
 * api_claims.c: reimbursement plans and claims (二次报销): submission with
 * the computed payout, the steps, lists (amounts masked), the payment
 * batch and its XLSX export (amounts in clear, audited).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_services.h"
#include "domain/claim.h"
#include "http/server.h"
#include "lib/xlsx.h"
#include "site.h"

/* ---- Plans ------------------------------------------------------------- */

static json_t *plan_json(const struct plan_rec *p)
{
    return json_pack("{s:I, s:i, s:s, s:I, s:I, s:I}", "id", (json_int_t)p->id, "year",
                     p->year, "kind", p->kind, "deductible_fen", (json_int_t)p->deductible_fen,
                     "ratio_bp", (json_int_t)p->ratio_bp, "cap_fen", (json_int_t)p->cap_fen);
}

static int add_plan(void *ud, const struct plan_rec *p)
{
    json_array_append_new(ud, plan_json(p));
    return 0;
}

void api_plans_list(struct req *r)
{
    int64_t year;
    if (query_int_or_reply(r, "year", 0, 0, 2100, &year))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (plan_list(r->db, (int)year, add_plan, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_plans_create(struct req *r)
{
    static const char *const fields[] = {"year", "kind", "deductible_fen", "ratio_bp",
                                         "cap_fen", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct plan_rec p;
    memset(&p, 0, sizeof p);
    const char *kind;
    int64_t year;
    if (json_int_or_reply(r, j, "year", 0, &year) || json_str_or_reply(r, j, "kind", &kind)
        || json_int_or_reply(r, j, "deductible_fen", -1, &p.deductible_fen)
        || json_int_or_reply(r, j, "ratio_bp", 0, &p.ratio_bp)
        || json_int_or_reply(r, j, "cap_fen", -1, &p.cap_fen)) {
        json_decref(j);
        return;
    }
    p.year = year < 0 || year > 9999 ? 0 : (int)year;
    ub_strlcpy(p.kind, kind ? kind : "", sizeof p.kind);
    if (kind && strlen(kind) >= sizeof p.kind)
        p.kind[0] = 0;
    struct ub_err err;
    if (plan_create(r->db, &r->actor, &p, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, plan_json(&p));
    json_decref(j);
}

/* ---- Claims ------------------------------------------------------------ */

static json_t *claim_json(const struct claim_view *v, bool clear)
{
    const struct claim_rec *c = &v->c;
    char selfpay[32], payout[32];
    claim_amount_mask(v->selfpay_fen, selfpay, sizeof selfpay);
    claim_amount_mask(v->payout_fen, payout, sizeof payout);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "id", (json_int_t)c->id, "member_no", c->member_no,
                          "name", c->member_name, "org", c->org_code, "year", c->year,
                          "kind", c->kind, "date", c->claim_date, "status", c->status,
                          "card_last4", c->card_last4, "selfpay", selfpay, "payout", payout);
    if (clear) {
        json_object_set_new(j, "selfpay_fen", json_integer(v->selfpay_fen));
        json_object_set_new(j, "payout_fen", json_integer(v->payout_fen));
    }
    json_object_set_new(j, "reason", *c->reason ? json_string(c->reason) : json_null());
    json_object_set_new(j, "pay_ref", *c->pay_ref ? json_string(c->pay_ref) : json_null());
    json_object_set_new(j, "submitted_at", api_time_json(c->submitted_at));
    json_object_set_new(j, "verified_at", api_time_json(c->verified_at));
    json_object_set_new(j, "decided_at", api_time_json(c->decided_at));
    json_object_set_new(j, "paid_at", api_time_json(c->paid_at));
    return j;
}

void api_claims_create(struct req *r)
{
    static const char *const fields[] = {"member_no", "year", "kind", "selfpay_fen", "date",
                                         NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct claim_input in = {0};
    if (json_str_or_reply(r, j, "member_no", &in.member_no)
        || json_int_or_reply(r, j, "year", 0, &in.year)
        || json_str_or_reply(r, j, "kind", &in.kind)
        || json_int_or_reply(r, j, "selfpay_fen", 0, &in.selfpay_fen)
        || json_str_or_reply(r, j, "date", &in.date)) {
        json_decref(j);
        return;
    }
    struct claim_view *v = xmalloc(sizeof *v);
    struct ub_err err;
    if (claim_submit(r->db, site_of(r)->vault, &r->actor, &in, v, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, claim_json(v, true));   /* the submitter typed the amount */
    free(v);
    json_decref(j);
}

static int claim_id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "claim_not_found", "报销申请不存在");
        return -1;
    }
    return 0;
}

void api_claims_get(struct req *r)
{
    int64_t id;
    if (claim_id_or_reply(r, &id))
        return;
    struct claim_view *v = xmalloc(sizeof *v);
    struct ub_err err;
    if (claim_get(r->db, site_of(r)->vault, &r->actor, id, v, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, claim_json(v, false));
    free(v);
}

void api_claims_reveal(struct req *r)
{
    int64_t id;
    if (claim_id_or_reply(r, &id))
        return;
    struct claim_view *v = xmalloc(sizeof *v);
    struct ub_err err;
    if (claim_reveal(r->db, site_of(r)->vault, &r->actor, id, v, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, claim_json(v, true));
    free(v);
}

enum step { STEP_VERIFY, STEP_APPROVE, STEP_REJECT, STEP_PAY };

static int run_step(struct req *r, enum step s, int64_t id, const char *note,
                    struct claim_view *v, struct ub_err *err)
{
    const struct vault *vault = site_of(r)->vault;
    switch (s) {
    case STEP_VERIFY: return claim_verify(r->db, vault, &r->actor, id, v, err);
    case STEP_APPROVE: return claim_approve(r->db, vault, &r->actor, id, v, err);
    case STEP_REJECT: return claim_reject(r->db, vault, &r->actor, id, note, v, err);
    case STEP_PAY: return claim_pay(r->db, vault, &r->actor, id, note, v, err);
    }
    return -1;
}

static void step(struct req *r, enum step s)
{
    static const char *const none[] = {NULL};
    static const char *const reason[] = {"reason", NULL};
    static const char *const pay[] = {"pay_ref", NULL};
    int64_t id;
    if (claim_id_or_reply(r, &id))
        return;
    const char *note = NULL;
    json_t *j = NULL;
    if (s == STEP_REJECT || s == STEP_PAY || r->body.len) {
        j = req_json_or_reply(r, s == STEP_REJECT ? reason : s == STEP_PAY ? pay : none);
        if (!j)
            return;
        if (json_str_or_reply(r, j, s == STEP_REJECT ? "reason" : "pay_ref", &note)) {
            json_decref(j);
            return;
        }
    }
    struct claim_view *v = xmalloc(sizeof *v);
    struct ub_err err;
    if (run_step(r, s, id, note, v, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, claim_json(v, false));
    free(v);
    json_decref(j);
}

void api_claims_verify(struct req *r) { step(r, STEP_VERIFY); }
void api_claims_approve(struct req *r) { step(r, STEP_APPROVE); }
void api_claims_reject(struct req *r) { step(r, STEP_REJECT); }
void api_claims_pay(struct req *r) { step(r, STEP_PAY); }

void api_claims_pay_batch(struct req *r)
{
    static const char *const fields[] = {"ids", "pay_ref", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *pay_ref;
    if (json_str_or_reply(r, j, "pay_ref", &pay_ref)) {
        json_decref(j);
        return;
    }
    json_t *ids = json_object_get(j, "ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 1000) {
        json_decref(j);
        reply_error(r, 400, "bad_type", "ids 应为1到1000个报销申请编号的数组");
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x) {
        if (!json_is_integer(x)) {
            json_decref(j);
            reply_error(r, 400, "bad_type", "ids 中的每一项应为整数");
            return;
        }
    }
    json_t *paid = json_array(), *refused = json_array();
    struct claim_view *v = xmalloc(sizeof *v);
    json_array_foreach(ids, i, x) {
        struct ub_err err;
        json_int_t id = json_integer_value(x);
        if (claim_pay(r->db, site_of(r)->vault, &r->actor, id, pay_ref, v, &err))
            json_array_append_new(refused, json_pack("{s:I, s:s, s:s}", "id", id, "error",
                                                     err.code, "message", err.msg));
        else
            json_array_append_new(paid, json_pack("{s:I}", "id", id));
    }
    free(v);
    json_decref(j);
    reply_json(r, 200, json_pack("{s:o, s:o}", "paid", paid, "refused", refused));
}

struct rows {
    json_t *items;
    bool clear;
    int64_t total;
};

static int add_claim(void *ud, const struct claim_view *v)
{
    struct rows *x = ud;
    json_array_append_new(x->items, claim_json(v, x->clear));
    x->total += v->payout_fen;
    return 0;
}

void api_claims_list(struct req *r)
{
    int64_t before, limit, year;
    if (page_or_reply(r, &before, &limit) || query_int_or_reply(r, "year", 0, 0, 2100, &year))
        return;
    struct rows x = {json_array(), false, 0};
    struct ub_err err;
    if (claim_list(r->db, site_of(r)->vault, &r->actor, req_query(r, "org"),
                   req_query(r, "status"), year, before, (int)limit, false, add_claim, &x,
                   &err)) {
        json_decref(x.items);
        reply_err(r, &err);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", x.items);
    if (json_array_size(x.items) == (size_t)limit)
        json_object_set(out, "next_before",
                        json_object_get(json_array_get(x.items, (size_t)limit - 1), "id"));
    reply_json(r, 200, out);
}

void api_claims_payable(struct req *r)
{
    int64_t before, limit, year;
    if (page_or_reply(r, &before, &limit) || query_int_or_reply(r, "year", 0, 0, 2100, &year))
        return;
    struct rows x = {json_array(), true, 0};
    struct ub_err err;
    if (claim_list(r->db, site_of(r)->vault, &r->actor, req_query(r, "org"), "approved", year,
                   before, (int)limit, true, add_claim, &x, &err)) {
        json_decref(x.items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:I, s:I, s:o}", "count",
                                 (json_int_t)json_array_size(x.items), "payout_fen",
                                 (json_int_t)x.total, "items", x.items));
}

/* ---- Export ------------------------------------------------------------ */

static const struct xlsx_col export_cols[] = {
    {"报销单号", 10}, {"会员编号", 16}, {"姓名", 10}, {"所属工会", 14}, {"年度", 6},
    {"类别", 8}, {"费用日期", 12}, {"状态", 8}, {"卡号尾号", 10}, {"自付金额（元）", 14},
    {"报销金额（元）", 14}, {"付款凭证", 16},
};

static int export_row(void *ud, const struct claim_view *v)
{
    const struct claim_rec *c = &v->c;
    char id[24], year[8], selfpay[32], payout[32];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    snprintf(year, sizeof year, "%d", c->year);
    snprintf(selfpay, sizeof selfpay, "%lld.%02lld", (long long)(v->selfpay_fen / 100),
             (long long)(v->selfpay_fen % 100));
    snprintf(payout, sizeof payout, "%lld.%02lld", (long long)(v->payout_fen / 100),
             (long long)(v->payout_fen % 100));
    const char *cells[] = {
        id, c->member_no, c->member_name, c->org_code, year,
        strcmp(c->kind, "inpatient") == 0 ? "住院" : "门诊", c->claim_date, c->status,
        c->card_last4, selfpay, payout, c->pay_ref,
    };
    return xlsx_row(ud, cells) ? 1 : 0;
}

struct claims_export {
    const char *status;
    int64_t year;
};

static int fill_claims(struct req *r, const char *path, void *ud)
{
    const struct claims_export *e = ud;
    struct xlsx *x = xlsx_open(path, "二次报销", export_cols, UB_ARRAY_LEN(export_cols));
    if (!x)
        return -1;
    struct ub_err err;
    int rc = claim_list(r->db, site_of(r)->vault, &r->actor, req_query(r, "org"), e->status,
                        e->year, 0, XLSX_MAX_ROWS, true, export_row, x, &err);
    int closed = xlsx_close(x);
    if (rc) {
        reply_err(r, &err);
        return -1;
    }
    return closed;
}

void api_claims_export(struct req *r)
{
    struct claims_export e = {req_query(r, "status"), 0};
    if (query_int_or_reply(r, "year", 0, 0, 2100, &e.year))
        return;
    if (!e.status)
        e.status = "approved";
    api_reply_workbook(r, "claims.xlsx", fill_claims, &e);
}
