/*
 * claim.c: reimbursement plans, the payout rule and the claim flow.
 */
#include "domain/claim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/member.h"
#include "domain/org.h"

static const char *const kinds[] = {"outpatient", "inpatient"};

static bool kind_valid(const char *k)
{
    for (size_t i = 0; k && i < UB_ARRAY_LEN(kinds); i++)
        if (strcmp(k, kinds[i]) == 0)
            return true;
    return false;
}

/* ---- The rule ------------------------------------------------------------ */

int64_t claim_payout(const struct plan_rec *p, int64_t prior_selfpay, int64_t prior_payout,
                     int64_t selfpay)
{
    int64_t left_deductible = p->deductible_fen - prior_selfpay;
    if (left_deductible < 0)
        left_deductible = 0;
    int64_t base = selfpay - left_deductible;
    if (base <= 0)
        return 0;
    /* Whole fen, rounded down; the operands stay far below 2^63. */
    int64_t pay = base * p->ratio_bp / 10000;
    int64_t room = p->cap_fen - prior_payout;
    if (room < 0)
        room = 0;
    return pay < room ? pay : room;
}

void claim_amount_mask(int64_t fen, char *out, size_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, fen / 100);
    size_t len = strlen(digits);
    char masked[40];
    masked[0] = digits[0];
    for (size_t i = 1; i < len && i < 20; i++)
        masked[i] = '*';
    masked[len < 20 ? len : 20] = 0;
    snprintf(out, n, "%s.**", masked);
}

/* ---- Sealed amounts ------------------------------------------------------ */

static void seal_amount(const struct vault *v, int64_t fen, unsigned char *out, size_t *len)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRId64, fen);
    vault_seal(v, text, (size_t)n, out);
    *len = (size_t)n + VAULT_SEAL_OVERHEAD;
}

static int open_amount(const struct vault *v, const unsigned char *enc, size_t len,
                       int64_t *fen)
{
    char text[SEALED_MAX];
    if (len < VAULT_SEAL_OVERHEAD || len > SEALED_MAX || vault_open(v, enc, len, text))
        return -1;
    return ub_parse_i64(text, fen) ? 0 : -1;
}

static void seal_totals(const struct vault *v, int64_t selfpay, int64_t payout,
                        unsigned char *out, size_t *len)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%" PRId64 " %" PRId64, selfpay, payout);
    vault_seal(v, text, (size_t)n, out);
    *len = (size_t)n + VAULT_SEAL_OVERHEAD;
}

static int open_totals(const struct vault *v, const unsigned char *enc, size_t len,
                       int64_t *selfpay, int64_t *payout)
{
    char text[SEALED_MAX];
    long long s, p;
    if (len < VAULT_SEAL_OVERHEAD || len > SEALED_MAX || vault_open(v, enc, len, text)
        || sscanf(text, "%lld %lld", &s, &p) != 2)
        return -1;
    *selfpay = s;
    *payout = p;
    return 0;
}

static int view_open(const struct vault *v, struct claim_view *out, struct ub_err *err)
{
    if (open_amount(v, out->c.selfpay_enc, out->c.selfpay_enc_len, &out->selfpay_fen)
        || open_amount(v, out->c.payout_enc, out->c.payout_enc_len, &out->payout_fen))
        return ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
    return 0;
}

/* ---- Plans --------------------------------------------------------------- */

int plan_create(struct db *db, const struct actor *a, struct plan_rec *p, struct ub_err *err)
{
    if (a->org_id != 0 || a->role != ROLE_ADMIN)
        return ub_fail(err, UB_EFORBID, "forbidden", "只有全市管理员可以设置报销方案");
    if (p->year < 2000 || p->year > 2100)
        return ub_fail_field(err, UB_EINVALID, "invalid_year", "year", "方案年度应在2000至2100之间");
    if (!kind_valid(p->kind))
        return ub_fail_field(err, UB_EINVALID, "invalid_kind", "kind",
                             "kind 应为 outpatient（门诊）或 inpatient（住院）");
    if (p->deductible_fen < 0 || p->deductible_fen > CLAIM_CAP_MAX)
        return ub_fail_field(err, UB_EINVALID, "invalid_amount", "deductible_fen",
                             "起付线应为不小于0的整数（分）");
    if (p->ratio_bp < 1 || p->ratio_bp > 10000)
        return ub_fail_field(err, UB_EINVALID, "invalid_ratio", "ratio_bp",
                             "报销比例应在1至10000（万分比）之间");
    if (p->cap_fen < 0 || p->cap_fen > CLAIM_CAP_MAX)
        return ub_fail_field(err, UB_EINVALID, "invalid_amount", "cap_fen",
                             "年度封顶额应为不小于0的整数（分）");
    if (tx_begin(db, err))
        return -1;
    int rc = store_plan_insert(db, p, a->user_id);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "plan_exists", "%d年度该类报销方案已存在", p->year);
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)p->id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "plan.create", "plan", sid, 0,
                       json_pack("{s:i, s:s, s:I, s:I, s:I}", "year", p->year, "kind", p->kind,
                                 "deductible_fen", (json_int_t)p->deductible_fen, "ratio_bp",
                                 (json_int_t)p->ratio_bp, "cap_fen", (json_int_t)p->cap_fen));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int plan_list(struct db *db, int year, plan_cb cb, void *ud, struct ub_err *err)
{
    int rc = store_plan_list(db, year, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Submission ------------------------------------------------------------ */

int claim_submit(struct db *db, const struct vault *v, const struct actor *a,
                 const struct claim_input *in, struct claim_view *out, struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    memset(out, 0, sizeof *out);
    if (member_get(db, a, in->member_no, m, err) || actor_may(a, PERM_WRITE, m->org_path, err))
        goto out;
    if (in->year < 2000 || in->year > 2100) {
        ub_fail_field(err, UB_EINVALID, "invalid_year", "year", "年度应在2000至2100之间");
        goto out;
    }
    if (!kind_valid(in->kind)) {
        ub_fail_field(err, UB_EINVALID, "invalid_kind", "kind",
                      "kind 应为 outpatient（门诊）或 inpatient（住院）");
        goto out;
    }
    if (in->selfpay_fen <= 0 || in->selfpay_fen > CLAIM_SELFPAY_MAX) {
        ub_fail_field(err, UB_EINVALID, "invalid_amount", "selfpay_fen",
                      "自付金额应为正整数（分）");
        goto out;
    }
    char today[11], date[11];
    ub_local_date(ub_now(), today);
    if (in->date && *in->date) {
        if (!ub_date_valid(in->date) || strcmp(in->date, today) > 0
            || atoi(in->date) != (int)in->year) {
            ub_fail_field(err, UB_EINVALID, "invalid_date", "date",
                          "费用日期应为该年度内、不晚于今天的 YYYY-MM-DD 日期");
            goto out;
        }
        ub_strlcpy(date, in->date, sizeof date);
    } else {
        ub_strlcpy(date, today, sizeof date);
    }
    struct plan_rec plan;
    int rc = store_plan_get(db, (int)in->year, in->kind, &plan);
    if (rc == DB_NOTFOUND) {
        ub_fail_field(err, UB_EINVALID, "no_plan", "year", "%d年度没有该类报销方案",
                      (int)in->year);
        goto out;
    }
    if (rc != DB_OK) {
        ub_fail_store(err, rc);
        goto out;
    }
    /* Eligibility: an active membership on the claim date. */
    if (strcmp(m->status, "active") != 0 || strcmp(m->joined_on, date) > 0) {
        ub_fail(err, UB_EINVALID, "not_eligible", "费用发生时须为在册正常会员（入会日期 %s，状态 %s）",
                m->joined_on, m->status);
        goto out;
    }
    struct card_rec card;
    rc = store_card_live(db, m->id, &card);
    if (rc == DB_NOTFOUND) {
        ub_fail(err, UB_EINVALID, "no_card", "该会员没有在用的互助服务卡，无法发放报销款");
        goto out;
    }
    if (rc != DB_OK) {
        ub_fail_store(err, rc);
        goto out;
    }

    struct claim_rec *c = &out->c;
    c->member_id = m->id;
    c->org_id = m->org_id;
    c->card_id = card.id;
    c->year = (int)in->year;
    ub_strlcpy(c->kind, in->kind, sizeof c->kind);
    ub_strlcpy(c->claim_date, date, sizeof c->claim_date);
    c->submitted_by = a->user_id;

    if (tx_begin(db, err))
        goto out;
    unsigned char fresh[SEALED_MAX], enc[SEALED_MAX];
    size_t fresh_len, enc_len;
    seal_totals(v, 0, 0, fresh, &fresh_len);
    rc = store_claim_totals_lock(db, m->id, c->year, c->kind, fresh, fresh_len, enc,
                                 sizeof enc, &enc_len);
    int64_t prior_selfpay = 0, prior_payout = 0;
    if (rc == DB_OK && open_totals(v, enc, enc_len, &prior_selfpay, &prior_payout)) {
        db_rollback(db);
        ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
        goto out;
    }
    out->selfpay_fen = in->selfpay_fen;
    out->payout_fen = claim_payout(&plan, prior_selfpay, prior_payout, in->selfpay_fen);
    seal_amount(v, out->selfpay_fen, c->selfpay_enc, &c->selfpay_enc_len);
    seal_amount(v, out->payout_fen, c->payout_enc, &c->payout_enc_len);
    if (rc == DB_OK)
        rc = store_claim_insert(db, c);
    if (rc == DB_OK) {
        seal_totals(v, prior_selfpay + out->selfpay_fen, prior_payout + out->payout_fen, enc,
                    &enc_len);
        rc = store_claim_totals_set(db, m->id, c->year, c->kind, enc, enc_len);
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)c->id);
    /* The amounts stay out of the audit log: they are sealed data. */
    if (rc == DB_OK)
        rc = audit_log(db, a, "claim.submit", "claim", sid, m->org_id,
                       json_pack("{s:s, s:i, s:s, s:s}", "member_no", m->member_no, "year",
                                 c->year, "kind", c->kind, "date", c->claim_date));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    status = store_claim_by_id(db, c->id, c) == DB_OK ? 0 : ub_fail_store(err, DB_ERROR);
out:
    free(m);
    return status;
}

/* ---- Reading ---------------------------------------------------------------- */

int claim_get(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
              struct claim_view *out, struct ub_err *err)
{
    int rc = id > 0 ? store_claim_by_id(db, id, &out->c) : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "claim_not_found", "报销申请不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_READ, out->c.org_path, err))
        return -1;
    return view_open(v, out, err);
}

/* ---- Steps -------------------------------------------------------------------- */

/* Moves claim id from one of the statuses in `from` to `to`.  perm is
 * what the step needs on the member's org. */
static int claim_step(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                      const char *to, const char *note, struct claim_view *out,
                      struct ub_err *err)
{
    if (claim_get(db, v, a, id, out, err))
        return -1;
    struct claim_rec *c = &out->c;
    const char *from = c->status;
    enum perm perm = PERM_MANAGE;
    bool ok = false;
    if (strcmp(to, "verified") == 0) {
        ok = strcmp(from, "submitted") == 0;
        perm = PERM_WRITE;
    } else if (strcmp(to, "approved") == 0) {
        ok = strcmp(from, "verified") == 0;
    } else if (strcmp(to, "rejected") == 0) {
        ok = strcmp(from, "submitted") == 0 || strcmp(from, "verified") == 0;
        perm = strcmp(from, "submitted") == 0 ? PERM_WRITE : PERM_MANAGE;
    } else if (strcmp(to, "paid") == 0) {
        ok = strcmp(from, "approved") == 0;
    }
    if (actor_may(a, perm, c->org_path, err))
        return -1;
    if (!ok)
        return ub_fail(err, UB_ECONFLICT, "invalid_transition", "报销申请当前状态为 %s，不能改为 %s",
                       from, to);
    if (strcmp(to, "approved") == 0 && a->user_id && a->user_id == c->verified_by)
        return ub_fail(err, UB_ECONFLICT, "same_person", "审核人与审批人不能是同一人");
    if (strcmp(to, "rejected") == 0 && name_check("reason", note, 100, err))
        return ub_fail_field(err, UB_EINVALID, err->code, "reason", "请填写不予报销的原因（不超过100字）");
    if (strcmp(to, "paid") == 0 && note && *note
        && (strlen(note) > 64 || !ub_utf8_text(note, false)))
        return ub_fail_field(err, UB_EINVALID, "invalid_pay_ref", "pay_ref",
                             "付款凭证号不超过64个字符");
    char was[12];
    ub_strlcpy(was, from, sizeof was);
    if (tx_begin(db, err))
        return -1;
    int rc = store_claim_step(db, id, was, to, a->user_id, note);
    if (rc == DB_NOTFOUND) {        /* someone else moved it meanwhile */
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "invalid_transition", "报销申请已被他人处理");
    }
    if (rc == DB_OK && strcmp(to, "rejected") == 0) {
        /* The rejected claim no longer counts towards deductible and cap. */
        unsigned char fresh[SEALED_MAX], enc[SEALED_MAX];
        size_t fresh_len, enc_len;
        int64_t s = 0, p = 0;
        seal_totals(v, 0, 0, fresh, &fresh_len);
        rc = store_claim_totals_lock(db, c->member_id, c->year, c->kind, fresh, fresh_len, enc,
                                     sizeof enc, &enc_len);
        if (rc == DB_OK && open_totals(v, enc, enc_len, &s, &p)) {
            db_rollback(db);
            return ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
        }
        s -= out->selfpay_fen;
        p -= out->payout_fen;
        seal_totals(v, s > 0 ? s : 0, p > 0 ? p : 0, enc, &enc_len);
        if (rc == DB_OK)
            rc = store_claim_totals_set(db, c->member_id, c->year, c->kind, enc, enc_len);
    }
    char sid[24], action[32];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    snprintf(action, sizeof action, "claim.%s",
             strcmp(to, "verified") == 0 ? "verify" : strcmp(to, "approved") == 0 ? "approve"
             : strcmp(to, "rejected") == 0 ? "reject" : "pay");
    json_t *detail = json_pack("{s:s, s:s, s:s}", "member_no", c->member_no, "from", was,
                               "to", to);
    if (note && *note)
        json_object_set_new(detail, strcmp(to, "paid") == 0 ? "pay_ref" : "reason",
                            json_string(note));
    if (rc == DB_OK)
        rc = audit_log(db, a, action, "claim", sid, c->org_id, detail);
    else
        json_decref(detail);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    int rc2 = store_claim_by_id(db, id, c);
    return rc2 == DB_OK ? view_open(v, out, err) : ub_fail_store(err, rc2);
}

int claim_verify(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 struct claim_view *out, struct ub_err *err)
{
    return claim_step(db, v, a, id, "verified", NULL, out, err);
}

int claim_approve(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                  struct claim_view *out, struct ub_err *err)
{
    return claim_step(db, v, a, id, "approved", NULL, out, err);
}

int claim_reject(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 const char *reason, struct claim_view *out, struct ub_err *err)
{
    return claim_step(db, v, a, id, "rejected", reason, out, err);
}

int claim_pay(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
              const char *pay_ref, struct claim_view *out, struct ub_err *err)
{
    return claim_step(db, v, a, id, "paid", pay_ref, out, err);
}

/* ---- Lists and reveals -------------------------------------------------------- */

struct list_ctx {
    const struct vault *v;
    claim_view_cb cb;
    void *ud;
    struct claim_view view;
    bool broken;
};

static int list_row(void *ud, const struct claim_rec *c)
{
    struct list_ctx *x = ud;
    x->view.c = *c;
    struct ub_err e;
    if (view_open(x->v, &x->view, &e)) {
        x->broken = true;
        return 1;
    }
    return x->cb(x->ud, &x->view);
}

int claim_list(struct db *db, const struct vault *v, const struct actor *a, const char *org,
               const char *status, int64_t year, int64_t before, int limit, bool reveal,
               claim_view_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    static const char *const statuses[] = {"", "submitted", "verified", "approved",
                                           "rejected", "paid"};
    bool known = false;
    for (size_t i = 0; i < UB_ARRAY_LEN(statuses); i++)
        known = known || strcmp(status ? status : "", statuses[i]) == 0;
    if (!known)
        return ub_fail_field(err, UB_EBAD, "bad_query", "status",
                             "status 应为 submitted、verified、approved、rejected 或 paid");
    if (year != 0 && (year < 2000 || year > 2100))
        return ub_fail_field(err, UB_EBAD, "bad_query", "year", "year 应在2000至2100之间");
    if (reveal) {
        struct org_rec o;
        int64_t org_id = a->org_id;
        if (org && *org) {
            if (org_get(db, a, org, &o, err))
                return -1;
            org_id = o.id;
        }
        if (actor_may(a, PERM_MANAGE, t.path, err) || tx_begin(db, err))
            return -1;
        int rc = audit_log(db, a, "claim.reveal", "claims", t.path, org_id,
                           json_pack("{s:s, s:s, s:I}", "org", org ? org : "", "status",
                                     status ? status : "", "year", (json_int_t)year));
        if (rc != DB_OK)
            return tx_fail(db, rc, err);
        if (tx_commit(db, err))
            return -1;
    }
    struct list_ctx *x = xcalloc(1, sizeof *x);
    x->v = v;
    x->cb = cb;
    x->ud = ud;
    int rc = store_claim_list(db, t.path, t.district, status ? status : "", (int)year, before,
                              limit, list_row, x);
    bool broken = x->broken;
    free(x);
    if (broken)
        return ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int claim_reveal(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 struct claim_view *out, struct ub_err *err)
{
    if (claim_get(db, v, a, id, out, err) || actor_may(a, PERM_MANAGE, out->c.org_path, err))
        return -1;
    if (tx_begin(db, err))
        return -1;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    int rc = audit_log(db, a, "claim.reveal", "claim", sid, out->c.org_id,
                       json_pack("{s:s}", "member_no", out->c.member_no));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}
