/*
 * member.c: people's fields, the review of applications, members, the
 * worker's own view, transfers and status (joining is join.c).
 */
#include "store/store_stats.h"
#include "domain/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/idcard.h"
#include "domain/org.h"
#include "domain/uscc.h"

const struct category member_categories[] = {
    {"industrial", "产业工人"},
    {"outdoor", "户外劳动者"},
    {"courier", "快递员"},
    {"food_delivery", "外卖送餐员"},
    {"ride_hailing", "网约车司机"},
    {"truck_driver", "货车司机"},
    {"security_guard", "保安员"},
    {"domestic", "家政服务员"},
    {"care_worker", "护工护理员"},
    {"mall_info", "商场信息员"},
    {"real_estate_agent", "房产中介员"},
    {"streamer", "网络主播"},
    {"other", "其他"},
    {NULL, NULL},
};

const char join_notice[] =
    "为办理入会，工会将收集您的姓名、身份证号、手机号、工作单位和职工类别，"
    "仅用于会员登记、会员服务和工会统计。身份证号和手机号加密保存，"
    "工作人员只能看到部分号码。您可以随时查看、更正个人信息或申请退会。";

const char *member_category_label(const char *code)
{
    for (const struct category *c = member_categories; code && c->code; c++)
        if (strcmp(c->code, code) == 0)
            return c->label;
    return NULL;
}

void phone_mask(const char *phone, char *out)
{
    if (strlen(phone) != 11) {
        out[0] = 0;
        return;
    }
    snprintf(out, 12, "%.3s****%.4s", phone, phone + 7);
}


_Static_assert(VAULT_DIGEST_BYTES == PERSON_DIGEST_BYTES, "a person's digests are the vault's");

/* ---- Validation -------------------------------------------------------- */

int person_check(const struct vault *v, const struct join_input *in, bool need_consent,
                 struct person_rec *p, struct ub_err *err)
{
    memset(p, 0, sizeof *p);
    if (name_check("name", in->name, 30, err))
        return ub_fail_field(err, err->kind, err->code, "name", "请填写姓名（不超过30个字）");
    ub_strlcpy(p->name, in->name, sizeof p->name);

    if (!in->id_number || !*in->id_number)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "id_number", "请填写身份证号");
    struct idcard id;
    int today = ub_today_ymd();
    enum idcard_error ie = idcard_parse(in->id_number, today, &id);
    if (ie != IDCARD_OK)
        return ub_fail_field(err, UB_EINVALID, idcard_error_code(ie), "id_number", "%s",
                             idcard_error_message(ie));
    if (idcard_age(&id, today) < JOIN_MIN_AGE)
        return ub_fail_field(err, UB_EINVALID, "too_young", "id_number",
                             "年满%d周岁方可入会", JOIN_MIN_AGE);

    const char *ph = in->phone ? in->phone : "";
    bool ok = strlen(ph) == 11 && ph[0] == '1';
    for (const char *c = ph; ok && *c; c++)
        ok = *c >= '0' && *c <= '9';
    if (!ok)
        return ub_fail_field(err, UB_EINVALID, "invalid_phone", "phone",
                             "手机号应为以1开头的11位数字");

    if (!member_category_label(in->category))
        return ub_fail_field(err, UB_EINVALID, "invalid_category", "category",
                             "请选择职工类别");
    ub_strlcpy(p->category, in->category, sizeof p->category);

    const char *en = in->employer_name ? in->employer_name : "";
    if (*en && name_check("employer_name", en, 100, err))
        return ub_fail_field(err, err->kind, err->code, "employer_name",
                             "工作单位名称不能超过100个字");
    ub_strlcpy(p->employer_name, en, sizeof p->employer_name);
    if (in->employer_uscc && *in->employer_uscc) {
        enum uscc_error ue = uscc_parse(in->employer_uscc, p->employer_uscc);
        if (ue != USCC_OK)
            return ub_fail_field(err, UB_EINVALID, uscc_error_code(ue), "employer_uscc", "%s",
                                 uscc_error_message(ue));
    }
    p->migrant = in->migrant > 0;

    if (need_consent
        && (!in->consent_version || strcmp(in->consent_version, JOIN_NOTICE_VERSION) != 0))
        return ub_fail_field(err, UB_EINVALID, "consent_required", "consent_version",
                             "请阅读并同意个人信息告知");

    /* Only now, with everything valid, the sensitive parts. */
    vault_digest(v, "id", id.number, p->id_hash);
    vault_seal(v, id.number, strlen(id.number), p->id_enc);
    p->id_enc_len = strlen(id.number) + VAULT_SEAL_OVERHEAD;
    idcard_mask(id.number, p->id_mask);
    vault_digest(v, "phone", ph, p->phone_hash);
    vault_seal(v, ph, 11, p->phone_enc);
    p->phone_enc_len = 11 + VAULT_SEAL_OVERHEAD;
    phone_mask(ph, p->phone_mask);
    ub_strlcpy(p->gender, id.male ? "M" : "F", sizeof p->gender);
    snprintf(p->birth_date, sizeof p->birth_date, "%04d-%02d-%02d", id.birth_year,
             id.birth_month, id.birth_day);
    return 0;
}

/* ---- Members made ------------------------------------------------------ */

int member_from_application(struct db *db, const struct application_rec *a,
                            struct member_rec *m)
{
    memset(m, 0, sizeof *m);
    m->org_id = a->org_id;
    ub_strlcpy(m->status, "active", sizeof m->status);
    ub_strlcpy(m->channel, a->channel, sizeof m->channel);
    m->source_org_id = a->source_org_id;
    m->source_event_id = a->source_event_id;
    m->application_id = a->id;
    m->p = a->p;
    ub_strlcpy(m->access_digest, a->access_digest, sizeof m->access_digest);
    ub_strlcpy(m->org_code, a->org_code, sizeof m->org_code);
    ub_strlcpy(m->org_name, a->org_name, sizeof m->org_name);
    int rc = store_member_insert(db, m);
    if (rc == DB_OK)
        rc = store_application_decide(db, a->id, "approved", NULL, 0, m->id);
    if (rc == DB_OK)
        rc = store_stats_add(db, m->org_id, m->joined_on, "joined", m->channel, 1);
    if (rc == DB_OK)
        rc = store_stats_add(db, m->org_id, m->joined_on, "joined_cat", m->p.category, 1);
    return rc;
}

/* ---- Review ------------------------------------------------------------ */

int application_get(struct db *db, const struct actor *a, int64_t id,
                    struct application_rec *out, struct ub_err *err)
{
    int rc = store_application_by_id(db, id, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "application_not_found", "入会申请不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->org_path, err);
}

int application_list(struct db *db, const struct actor *a, const char *org,
                     const char *status, int64_t before, int limit, application_cb cb,
                     void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    static const char *const statuses[] = {"", "pending", "approved", "rejected", "withdrawn"};
    bool known = false;
    for (size_t i = 0; i < UB_ARRAY_LEN(statuses); i++)
        known = known || strcmp(status ? status : "", statuses[i]) == 0;
    if (!known)
        return ub_fail_field(err, UB_EBAD, "bad_query", "status",
                             "status 应为 pending、approved、rejected 或 withdrawn");
    int rc = store_application_list(db, t.path, t.district, status ? status : "", before,
                                    limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int application_approve(struct db *db, const struct actor *a, int64_t id,
                        struct member_rec *out, struct ub_err *err)
{
    struct application_rec *app = xmalloc(sizeof *app);
    int status = -1;
    if (application_get(db, a, id, app, err) || actor_may(a, PERM_WRITE, app->org_path, err))
        goto out;
    if (strcmp(app->status, "pending") != 0) {
        ub_fail(err, UB_ECONFLICT, "not_pending", "该申请已处理（%s）", app->status);
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    bool member;
    const unsigned char *hash = app->p.id_hash;
    int rc = store_members_live(db, &hash, 1, &member);
    if (rc == DB_OK && member) {
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "already_member", "此人已是会员");
        goto out;
    }
    if (rc == DB_OK)
        rc = member_from_application(db, app, out);
    if (rc == DB_NOTFOUND) {        /* decided by someone else meanwhile */
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "not_pending", "该申请已处理");
        goto out;
    }
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "already_member", "此人已是会员");
        goto out;
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "application.approve", "application", sid, app->org_id,
                       json_pack("{s:s}", "member_no", out->member_no));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    /* The member as stored: org path for the caller's links. */
    ub_strlcpy(out->org_path, app->org_path, sizeof out->org_path);
    status = 0;
out:
    free(app);
    return status;
}

int application_reject(struct db *db, const struct actor *a, int64_t id, const char *reason,
                       struct ub_err *err)
{
    struct application_rec *app = xmalloc(sizeof *app);
    int status = -1;
    if (application_get(db, a, id, app, err) || actor_may(a, PERM_WRITE, app->org_path, err))
        goto out;
    if (name_check("reason", reason, 100, err)) {
        ub_fail_field(err, UB_EINVALID, err->code, "reason", "请填写不通过的原因（不超过100字）");
        goto out;
    }
    if (strcmp(app->status, "pending") != 0) {
        ub_fail(err, UB_ECONFLICT, "not_pending", "该申请已处理（%s）", app->status);
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    int rc = store_application_decide(db, id, "rejected", reason, a->user_id, 0);
    if (rc == DB_NOTFOUND) {
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "not_pending", "该申请已处理");
        goto out;
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "application.reject", "application", sid, app->org_id,
                       json_pack("{s:s}", "reason", reason));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    status = 0;
out:
    free(app);
    return status;
}

/* ---- Members ----------------------------------------------------------- */

int member_get(struct db *db, const struct actor *a, const char *member_no,
               struct member_rec *out, struct ub_err *err)
{
    int rc = member_no && strlen(member_no) < sizeof out->member_no
                 ? store_member_by_no(db, member_no, out) : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "member_not_found", "会员不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->org_path, err);
}

int member_search(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org, const char *q, int64_t before, int limit, member_cb cb,
                  void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    unsigned char phone_hash[VAULT_DIGEST_BYTES];
    bool phone = q && strlen(q) == 11 && q[0] == '1' && strspn(q, "0123456789") == 11;
    if (phone)
        vault_digest(v, "phone", q, phone_hash);
    int rc = store_member_search(db, t.path, t.district, q, phone ? phone_hash : NULL, before,
                                 limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int member_reveal(struct db *db, const struct vault *v, const struct actor *a,
                  const char *member_no, char id_number[19], char phone[12],
                  struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (member_get(db, a, member_no, m, err) || actor_may(a, PERM_MANAGE, m->org_path, err))
        goto out;
    char idb[SEALED_MAX], phb[SEALED_MAX];
    if (vault_open(v, m->p.id_enc, m->p.id_enc_len, idb)
        || vault_open(v, m->p.phone_enc, m->p.phone_enc_len, phb)) {
        ub_fail(err, UB_ESTORE, "decrypt_failed", "无法解密（密钥文件不匹配？）");
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    int rc = audit_log(db, a, "member.reveal", "member", m->member_no, m->org_id,
                       json_pack("{s:s}", "fields", "id_number,phone"));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    ub_strlcpy(id_number, idb, 19);
    ub_strlcpy(phone, phb, 12);
    status = 0;
out:
    free(m);
    return status;
}

/* ---- The worker's own view --------------------------------------------- */

int member_by_token(struct db *db, const char *token, bool *is_member,
                    struct member_rec *m, struct application_rec *a, struct ub_err *err)
{
    if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
        return ub_fail(err, UB_EAUTH, "unauthenticated", "请先扫码入会，或使用会员链接打开");
    char digest[CRYPTO_DIGEST_HEX + 1];
    crypto_digest_hex(token, digest);
    int rc = store_member_by_access(db, digest, m);
    if (rc == DB_OK) {
        *is_member = true;
        return 0;
    }
    if (rc == DB_NOTFOUND)
        rc = store_application_by_access(db, digest, a);
    if (rc == DB_OK) {
        /* An approved application whose member got a new token since: the
         * old token no longer opens the card. */
        if (a->member_id)
            return ub_fail(err, UB_EAUTH, "unauthenticated", "会员链接已更换，请向工会索取新链接");
        *is_member = false;
        return 0;
    }
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_EAUTH, "unauthenticated", "会员链接无效");
    return ub_fail_store(err, rc);
}

int member_token_create(struct db *db, const struct actor *a, const char *member_no,
                        char token[CRYPTO_TOKEN_LEN + 1], struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (member_get(db, a, member_no, m, err) || actor_may(a, PERM_WRITE, m->org_path, err))
        goto out;
    char digest[CRYPTO_DIGEST_HEX + 1];
    crypto_token(token);
    crypto_digest_hex(token, digest);
    if (tx_begin(db, err))
        goto out;
    int rc = store_member_set_access(db, m->id, digest);
    if (rc == DB_OK)
        rc = audit_log(db, a, "member.token", "member", m->member_no, m->org_id, NULL);
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    status = tx_commit(db, err);
out:
    free(m);
    return status;
}

/* ---- Transfers and status ---------------------------------------------- */

int transfer_request(struct db *db, const struct actor *a, const char *member_no,
                     const char *to_org, const char *note, struct transfer_rec *out,
                     struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    struct org_rec to;
    if (member_get(db, a, member_no, m, err) || actor_may(a, PERM_WRITE, m->org_path, err))
        goto out;
    if (!to_org || !*to_org) {
        ub_fail_field(err, UB_EINVALID, "missing_field", "to_org", "请选择转入的工会");
        goto out;
    }
    int rc = store_org_by_code(db, to_org, &to);
    if (rc == DB_NOTFOUND) {
        ub_fail_field(err, UB_EINVALID, "org_not_found", "to_org", "工会 %s 不存在", to_org);
        goto out;
    }
    if (rc != DB_OK) {
        ub_fail_store(err, rc);
        goto out;
    }
    if (to.id == m->org_id) {
        ub_fail_field(err, UB_EINVALID, "same_org", "to_org", "会员已在该工会");
        goto out;
    }
    if (strcmp(m->status, "active") != 0) {
        ub_fail(err, UB_ECONFLICT, "not_active", "只有正常状态的会员可以转出（当前：%s）",
                m->status);
        goto out;
    }
    if (note && *note && name_check("note", note, 100, err))
        goto out;
    memset(out, 0, sizeof *out);
    out->member_id = m->id;
    out->from_org_id = m->org_id;
    out->to_org_id = to.id;
    ub_strlcpy(out->note, note ? note : "", sizeof out->note);
    if (tx_begin(db, err))
        goto out;
    rc = store_transfer_insert(db, out, a->user_id);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "transfer_pending", "该会员已有待接收的转接");
        goto out;
    }
    if (rc == DB_OK)
        rc = store_member_set_status(db, m->id, "transferring", 0);
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)out->id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "transfer.request", "member", m->member_no, m->org_id,
                       json_pack("{s:s, s:s, s:I}", "from", m->org_code, "to", to.code,
                                 "transfer", (json_int_t)out->id));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    if (tx_commit(db, err))
        goto out;
    status = store_transfer_by_id(db, out->id, out) == DB_OK ? 0 : ub_fail_store(err, DB_ERROR);
out:
    free(m);
    return status;
}

static int transfer_get(struct db *db, int64_t id, struct transfer_rec *t, struct ub_err *err)
{
    int rc = store_transfer_by_id(db, id, t);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "transfer_not_found", "转接记录不存在");
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int transfer_accept(struct db *db, const struct actor *a, int64_t id, struct transfer_rec *out,
                    struct ub_err *err)
{
    if (transfer_get(db, id, out, err) || actor_may(a, PERM_WRITE, out->to_path, err))
        return -1;
    if (strcmp(out->status, "pending") != 0)
        return ub_fail(err, UB_ECONFLICT, "not_pending", "该转接已处理（%s）", out->status);
    if (tx_begin(db, err))
        return -1;
    int rc = store_transfer_decide(db, id, "accepted", a->user_id);
    if (rc == DB_NOTFOUND) {
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "not_pending", "该转接已处理");
    }
    if (rc == DB_OK)
        rc = store_member_set_status(db, out->member_id, "active", out->to_org_id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "transfer.accept", "member", out->member_no, out->to_org_id,
                       json_pack("{s:s, s:s, s:I}", "from", out->from_code, "to", out->to_code,
                                 "transfer", (json_int_t)id));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    ub_strlcpy(out->status, "accepted", sizeof out->status);
    return 0;
}

int transfer_cancel(struct db *db, const struct actor *a, int64_t id, struct ub_err *err)
{
    struct transfer_rec t;
    if (transfer_get(db, id, &t, err))
        return -1;
    /* Either side may withdraw it: the releasing union or the receiving. */
    struct org_rec from;
    int rc = store_org_by_id(db, t.from_org_id, &from);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    struct ub_err e2;
    if (actor_may(a, PERM_WRITE, from.path, err) && actor_may(a, PERM_WRITE, t.to_path, &e2))
        return -1;
    if (strcmp(t.status, "pending") != 0)
        return ub_fail(err, UB_ECONFLICT, "not_pending", "该转接已处理（%s）", t.status);
    if (tx_begin(db, err))
        return -1;
    rc = store_transfer_decide(db, id, "cancelled", a->user_id);
    if (rc == DB_NOTFOUND) {
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "not_pending", "该转接已处理");
    }
    if (rc == DB_OK)
        rc = store_member_set_status(db, t.member_id, "active", 0);
    if (rc == DB_OK)
        rc = audit_log(db, a, "transfer.cancel", "member", t.member_no, t.from_org_id,
                       json_pack("{s:I}", "transfer", (json_int_t)id));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int transfer_incoming(struct db *db, const struct actor *a, const char *org, int limit,
                      transfer_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    int rc = store_transfer_incoming(db, t.path, limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int member_transfers(struct db *db, const struct actor *a, const char *member_no,
                     transfer_cb cb, void *ud, struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (member_get(db, a, member_no, m, err))
        goto out;
    int rc = store_transfer_list(db, m->id, cb, ud);
    status = rc == DB_OK ? 0 : ub_fail_store(err, rc);
out:
    free(m);
    return status;
}

int member_set_status(struct db *db, const struct actor *a, const char *member_no,
                      const char *status, const char *reason, struct member_rec *out,
                      struct ub_err *err)
{
    if (member_get(db, a, member_no, out, err) || actor_may(a, PERM_WRITE, out->org_path, err))
        return -1;
    static const struct {
        const char *from, *to;
    } moves[] = {
        {"active", "retained"}, {"active", "withdrawn"},
        {"retained", "active"}, {"retained", "withdrawn"},
    };
    bool known = status && (strcmp(status, "active") == 0 || strcmp(status, "retained") == 0
                            || strcmp(status, "withdrawn") == 0);
    if (!known)
        return ub_fail_field(err, UB_EINVALID, "invalid_status", "status",
                             "状态应为 active、retained 或 withdrawn");
    bool ok = false;
    for (size_t i = 0; i < UB_ARRAY_LEN(moves); i++)
        ok = ok || (strcmp(out->status, moves[i].from) == 0 && strcmp(status, moves[i].to) == 0);
    if (!ok)
        return ub_fail(err, UB_ECONFLICT, "invalid_transition", "会籍状态不能从 %s 改为 %s",
                       out->status, status);
    if (name_check("reason", reason, 100, err))
        return ub_fail_field(err, UB_EINVALID, err->code, "reason", "请填写原因（不超过100字）");
    if (tx_begin(db, err))
        return -1;
    int rc = store_member_set_status(db, out->id, status, 0);
    if (rc == DB_OK)
        rc = audit_log(db, a, "member.status", "member", out->member_no, out->org_id,
                       json_pack("{s:s, s:s, s:s}", "from", out->status, "to", status,
                                 "reason", reason));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    ub_strlcpy(out->status, status, sizeof out->status);
    return 0;
}

int member_joined(struct db *db, const struct actor *a, const char *org, const char *from,
                  const char *to, const char *channel, int64_t before, int limit,
                  member_cb cb, void *ud, int64_t *total, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    if (!ub_date_valid(from) || !ub_date_valid(to))
        return ub_fail(err, UB_EBAD, "invalid_date", "日期应为 YYYY-MM-DD");
    static const char *const channels[] = {"qr", "onsite", "import"};
    bool known = !channel || !*channel;
    for (size_t i = 0; !known && i < UB_ARRAY_LEN(channels); i++)
        known = strcmp(channel, channels[i]) == 0;
    if (!known)
        return ub_fail_field(err, UB_EBAD, "bad_query", "channel",
                             "channel 应为 qr、onsite 或 import");
    struct joined_filter f = {t.path, t.district, from, to, channel, before, limit};
    int rc = store_member_joined(db, &f, cb, ud, total);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}
