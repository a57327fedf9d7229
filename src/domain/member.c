/*
 * member.c: joining, review and members.
 */
#include "store/store_stats.h"
#include "domain/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int today_ymd(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
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
    int today = today_ymd();
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

/* ---- Join tokens ------------------------------------------------------- */

int join_token_create(struct db *db, int64_t org_id, int64_t event_id,
                      char token[JOIN_TOKEN_LEN + 1])
{
    struct join_token_rec t = {.org_id = org_id, .event_id = event_id};
    crypto_random_alnum(t.token, sizeof t.token);
    int rc = store_join_token_insert(db, &t);
    if (rc == DB_OK)
        ub_strlcpy(token, t.token, JOIN_TOKEN_LEN + 1);
    return rc;
}

int join_token_org(struct db *db, const char *token, struct org_rec *org, int64_t *event_id,
                   struct ub_err *err)
{
    int64_t ev = 0;
    int rc = token && strlen(token) == JOIN_TOKEN_LEN
                 ? store_org_by_join_token(db, token, org, &ev)
                 : DB_NOTFOUND;
    if (event_id)
        *event_id = ev;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "join_token_not_found", "二维码无效或已失效");
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int org_join_token(struct db *db, const struct actor *a, const char *code,
                   struct org_rec *org, char token[JOIN_TOKEN_LEN + 1], struct ub_err *err)
{
    if (org_get(db, a, code, org, err))
        return -1;
    struct join_token_rec t;
    int rc = store_join_token_of_org(db, org->id, &t);
    if (rc == DB_OK) {
        ub_strlcpy(token, t.token, JOIN_TOKEN_LEN + 1);
        return 0;
    }
    if (rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);
    rc = join_token_create(db, org->id, 0, token);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Joining ----------------------------------------------------------- */

/* The kept answer of a join, sealed. */
static int keep_answer(struct db *db, const struct vault *v, const char *key,
                       const struct join_result *r)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
                          "application_id", (json_int_t)r->application_id,
                          "status", r->status, "access_token", r->access_token,
                          "member_no", r->member_no, "org", r->org_code,
                          "org_name", r->org_name);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t n = strlen(text);
    unsigned char *sealed = xmalloc(n + VAULT_SEAL_OVERHEAD);
    vault_seal(v, text, n, sealed);
    int rc = store_idempotency_put(db, key, 201, sealed, n + VAULT_SEAL_OVERHEAD);
    free(sealed);
    free(text);
    return rc;
}

/* Returns 1 and fills r when key has a kept answer, 0 when not, -1. */
static int kept_answer(struct db *db, const struct vault *v, const char *key,
                       struct join_result *r, struct ub_err *err)
{
    unsigned char sealed[2048];
    char text[2048];
    size_t n;
    int status;
    int rc = store_idempotency_get(db, key, &status, sealed, sizeof sealed, &n);
    if (rc == DB_NOTFOUND)
        return 0;
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    json_t *j = vault_open(v, sealed, n, text) == 0 ? json_loads(text, 0, NULL) : NULL;
    if (!j)
        return ub_fail(err, UB_ESTORE, "storage_error", "无法读取已保存的应答");
    memset(r, 0, sizeof *r);
    r->application_id = json_integer_value(json_object_get(j, "application_id"));
    ub_strlcpy(r->status, json_string_value(json_object_get(j, "status")) ?: "", sizeof r->status);
    ub_strlcpy(r->access_token, json_string_value(json_object_get(j, "access_token")) ?: "",
               sizeof r->access_token);
    ub_strlcpy(r->member_no, json_string_value(json_object_get(j, "member_no")) ?: "",
               sizeof r->member_no);
    ub_strlcpy(r->org_code, json_string_value(json_object_get(j, "org")) ?: "",
               sizeof r->org_code);
    ub_strlcpy(r->org_name, json_string_value(json_object_get(j, "org_name")) ?: "",
               sizeof r->org_name);
    json_decref(j);
    return 1;
}

/* The member made from an application (inside the caller's transaction). */
static int make_member(struct db *db, const struct application_rec *a, struct member_rec *m)
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

static void worker_actor(struct actor *w, const char *addr, const char *mask)
{
    memset(w, 0, sizeof *w);
    snprintf(w->login, sizeof w->login, "worker:%s", mask);
    w->role = ROLE_NONE;
    ub_strlcpy(w->addr, addr ? addr : "", sizeof w->addr);
}

int join_prepare(const struct vault *v, const char *token, const struct join_input *in,
                 const char *addr, const char *idem_key, int rate_limit,
                 struct join_prep *p)
{
    memset(p, 0, sizeof *p);
    p->token_ok = token && strlen(token) == JOIN_TOKEN_LEN;
    if (p->token_ok)
        ub_strlcpy(p->token, token, sizeof p->token);
    if (idem_key && *idem_key) {
        p->key_bad = strlen(idem_key) > 64 || !ub_utf8_text(idem_key, false);
        if (!p->key_bad)
            snprintf(p->key, sizeof p->key, "join:%s:%s", p->token, idem_key);
    }
    snprintf(p->rate_key, sizeof p->rate_key, "join:addr:%.64s", addr ? addr : "");
    ub_strlcpy(p->addr, addr ? addr : "", sizeof p->addr);
    p->rate_limit = rate_limit;
    struct application_rec *a = &p->a;
    p->check = person_check(v, in, true, &a->p, &p->check_err);
    if (p->check)
        return 0;
    ub_strlcpy(a->status, "pending", sizeof a->status);
    ub_strlcpy(a->channel, "qr", sizeof a->channel);
    ub_strlcpy(a->consent_version, in->consent_version, sizeof a->consent_version);
    crypto_token(p->access_token);
    crypto_digest_hex(p->access_token, a->access_digest);
    return 0;
}

/* A join's database work begins alone for each join: the token (prev,
 * when not NULL, is a join of the same set that read the same one) and a
 * kept answer.  Returns 0 when the join goes on, 1 when it was answered
 * from a kept answer, -1 with q->err. */
static int join_open(struct db *db, const struct vault *v, struct join_req *q,
                     const struct join_req *prev)
{
    struct join_prep *p = &q->prep;
    struct ub_err *err = &q->err;
    if (prev && p->token_ok && strcmp(prev->prep.token, p->token) == 0) {
        q->source = prev->source;
        q->source_event = prev->source_event;
    } else if (join_token_org(db, p->token_ok ? p->token : NULL, &q->source,
                              &q->source_event, err)) {
        return -1;
    }
    if (p->key_bad)
        return ub_fail(err, UB_EBAD, "bad_idempotency_key",
                       "Idempotency-Key 应为不超过64个字符的文本");
    if (*p->key) {
        int k = kept_answer(db, v, p->key, &q->res, err);
        if (k < 0)
            return -1;
        if (k == 1) {
            q->replayed = true;
            return 1;
        }
    }
    return 0;
}

/* Orders joins by rate key, then by their place in the set. */
static int cmp_rate_key(const void *x, const void *y)
{
    const struct join_req *a = *(struct join_req *const *)x, *b = *(struct join_req *const *)y;
    int c = strcmp(a->prep.rate_key, b->prep.rate_key);
    return c ? c : (a->place > b->place) - (a->place < b->place);
}

/* Counts the address of each of the n joins against its rate limit: one
 * addition per address, each join then seeing the count it would have
 * seen counted alone, in order (q->rate_n).  Returns a DB_ code. */
static int join_rate_count(struct db *db, struct join_req **q, size_t n, int64_t now)
{
    struct join_req **by_key = xmalloc(n * sizeof *by_key);
    memcpy(by_key, q, n * sizeof *by_key);
    qsort(by_key, n, sizeof *by_key, cmp_rate_key);
    int rc = DB_OK;
    for (size_t i = 0, j; rc == DB_OK && i < n; i = j) {
        for (j = i + 1; j < n && strcmp(by_key[j]->prep.rate_key, by_key[i]->prep.rate_key) == 0;
             j++)
            ;
        int64_t count = 0, since = now;
        rc = store_rate_add(db, by_key[i]->prep.rate_key, (int64_t)(j - i), now,
                            JOIN_RATE_WINDOW, &count, &since);
        for (size_t k = i; k < j; k++) {
            by_key[k]->rate_n = count - (int64_t)(j - 1 - k);
            by_key[k]->rate_since = since;
        }
    }
    free(by_key);
    return rc;
}

/* Then, still alone: the rate limit (counted by join_rate_count), the
 * fields, and where the join goes.  Returns 0 when the join goes on to be
 * recorded (q->prep.a routed), -1 with q->err. */
static int join_route(struct db *db, struct join_req *q, int64_t now)
{
    struct join_prep *p = &q->prep;
    struct ub_err *err = &q->err;
    if (p->rate_limit > 0 && q->rate_n > p->rate_limit) {
        ub_fail(err, UB_ERATE, "too_many_requests", "提交过于频繁，请稍后再试");
        err->retry_after = (int)(q->rate_since + JOIN_RATE_WINDOW - now);
        return -1;
    }
    if (p->check) {
        *err = p->check_err;
        return -1;
    }
    /* Routing: the named employer's own union, if it has one in the
     * token's subtree; else the token's org. */
    struct application_rec *a = &p->a;
    int64_t employer_id = 0, union_id = 0;
    int rc = store_employer_union(db, q->source.path, a->p.employer_uscc, a->p.employer_name,
                                  &employer_id, &union_id);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    a->p.employer_id = employer_id;
    q->dest = q->source;
    if (union_id && union_id != q->source.id && store_org_by_id(db, union_id, &q->dest) != DB_OK)
        q->dest = q->source;
    a->org_id = q->dest.id;
    a->source_org_id = q->source.id;
    a->source_event_id = q->source_event;
    ub_strlcpy(a->org_code, q->dest.code, sizeof a->org_code);
    ub_strlcpy(a->org_name, q->dest.name, sizeof a->org_name);
    return 0;
}

static int refuse(struct join_req *q, int kind, const char *code, const char *msg)
{
    q->status = ub_fail(&q->err, kind, code, "%s", msg);
    return q->status;
}

/* What the answer says of a recorded application. */
static void join_answered(struct join_req *q, const char *status, const char *member_no)
{
    struct join_result *out = &q->res;
    out->application_id = q->prep.a.id;
    ub_strlcpy(out->status, status, sizeof out->status);
    ub_strlcpy(out->member_no, member_no, sizeof out->member_no);
    ub_strlcpy(out->access_token, q->prep.access_token, sizeof out->access_token);
    ub_strlcpy(out->org_code, q->dest.code, sizeof out->org_code);
    ub_strlcpy(out->org_name, q->dest.name, sizeof out->org_name);
}

/* The second half, for the routed joins q[0..n-1] at once: one read of
 * the people's standing, one insert of the applications, one of their
 * audit entries; then, row by row, those an org approves at once and the
 * kept answer of a join with an Idempotency-Key.  Returns DB_OK or the
 * code that failed it all (then nothing it wrote is kept). */
static int join_record(struct db *db, const struct vault *v, struct join_req **q, size_t n)
{
    const unsigned char **hashes = xmalloc(n * sizeof *hashes);
    bool *pending = xmalloc(n * sizeof *pending), *member = xmalloc(n * sizeof *member);
    struct application_rec **apps = xmalloc(n * sizeof *apps);
    bool *inserted = xmalloc(n * sizeof *inserted);
    struct audit_rec *audit = xmalloc(n * sizeof *audit);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        hashes[i] = q[i]->prep.a.p.id_hash;
    int rc = store_person_states(db, hashes, n, pending, member);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        if (member[i]) {
            refuse(q[i], UB_ECONFLICT, "already_member", "您已是工会会员，无需重复入会");
            continue;
        }
        size_t d = 0;               /* the same person twice in the set */
        while (d < k && memcmp(apps[d]->p.id_hash, hashes[i], PERSON_DIGEST_BYTES) != 0)
            d++;
        if (pending[i] || d < k) {
            refuse(q[i], UB_ECONFLICT, "application_pending", "您的入会申请正在审核中");
            continue;
        }
        apps[k] = &q[i]->prep.a;
        hashes[k] = hashes[i];
        q[k] = q[i];                /* the rest of q are done: refused */
        k++;
    }
    /* Written as one savepoint; should a person turn out to have become a
     * member meanwhile (an org that approves at once, in another
     * transaction), that join is refused and the rest written again. */
    while (rc == DB_OK && k) {
        size_t na = 0, clash = k;
        rc = db_begin(db);
        if (rc == DB_OK)
            rc = store_applications_insert(db, apps, k, inserted);
        for (size_t i = 0; rc == DB_OK && i < k; i++) {
            if (!inserted[i]) {     /* the same person, a moment earlier */
                refuse(q[i], UB_ECONFLICT, "application_pending", "您的入会申请正在审核中");
                continue;
            }
            struct actor w;
            worker_actor(&w, q[i]->prep.addr, apps[i]->p.id_mask);
            char sid[24];
            snprintf(sid, sizeof sid, "%lld", (long long)apps[i]->id);
            audit_entry(&audit[na++], &w, "application.submit", "application", sid,
                        q[i]->dest.id, json_pack("{s:s, s:s, s:s}", "source",
                                                 q[i]->source.code, "org", q[i]->dest.code,
                                                 "channel", "qr"));
            join_answered(q[i], "pending", "");
        }
        if (rc == DB_OK && na)
            rc = store_audit_insert_many(db, audit, na);
        for (size_t i = 0; i < na; i++)
            free((char *)audit[i].detail);
        for (size_t i = 0; rc == DB_OK && i < k; i++) {
            if (q[i]->status || !q[i]->dest.auto_approve)
                continue;
            struct member_rec m;
            struct actor w;
            worker_actor(&w, q[i]->prep.addr, apps[i]->p.id_mask);
            char sid[24];
            snprintf(sid, sizeof sid, "%lld", (long long)apps[i]->id);
            rc = make_member(db, apps[i], &m);
            if (rc == DB_CONFLICT)
                clash = i;
            if (rc == DB_OK)
                rc = audit_log(db, &w, "application.approve", "application", sid,
                               q[i]->dest.id, json_pack("{s:s, s:b}", "member_no",
                                                        m.member_no, "auto", 1));
            if (rc == DB_OK)
                join_answered(q[i], "approved", m.member_no);
        }
        for (size_t i = 0; rc == DB_OK && i < k; i++)
            if (!q[i]->status && *q[i]->prep.key)
                rc = keep_answer(db, v, q[i]->prep.key, &q[i]->res);
        if (rc == DB_OK)
            rc = db_commit(db);
        if (rc == DB_OK)
            break;
        db_rollback(db);
        if (clash == k)
            break;
        refuse(q[clash], UB_ECONFLICT, "already_member", "您已是工会会员，无需重复入会");
        size_t left = 0;
        for (size_t i = 0; i < k; i++)
            if (!q[i]->status) {
                apps[left] = apps[i];
                q[left++] = q[i];
            }
        k = left;
        rc = DB_OK;
    }
    free(audit);
    free(inserted);
    free(apps);
    free(member);
    free(pending);
    free(hashes);
    return rc;
}

int join_commit_many(struct db *db, const struct vault *v, struct join_req **reqs, size_t n)
{
    struct join_req **ready = xmalloc(n * sizeof *ready);
    const struct join_req *opened = NULL;
    size_t k = 0, counted = 0;
    int64_t now = ub_now();
    for (size_t i = 0; i < n; i++) {
        struct join_req *q = reqs[i];
        memset(&q->res, 0, sizeof q->res);
        q->replayed = false;
        q->place = i;
        q->rate_n = 0;
        int r = join_open(db, v, q, opened);
        q->status = r == 0 ? 0 : r < 0 ? -1 : 1;
        if (r == 0)
            opened = q;
        /* A retry of a join earlier in the set (its Idempotency-Key) is
         * answered as that one is, below, and not counted again. */
        q->retry = false;
        for (size_t j = 0; r == 0 && *q->prep.key && j < i && !q->retry; j++)
            q->retry = reqs[j]->status == 0 && strcmp(reqs[j]->prep.key, q->prep.key) == 0;
        if (r == 0 && q->prep.rate_limit > 0 && !q->retry)
            ready[counted++] = q;
    }
    int rc = join_rate_count(db, ready, counted, now);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        struct join_req *q = reqs[i];
        int r = q->status;
        q->status = r < 0 ? -1 : 0;
        if (r == 0 && join_route(db, q, now))
            q->status = -1;
        else if (r == 0 && !*q->prep.key)
            ready[k++] = q;
        else if (r == 0) {
            /* Alone, after the joins before it in the set: one with the
             * same key may have kept its answer meanwhile (this one is
             * then that one's retry); if another transaction keeps one
             * first, this one is undone, or refused as the same person,
             * and answered as that one was. */
            int kept = q->retry ? kept_answer(db, v, q->prep.key, &q->res, &q->err) : 0;
            if (kept == 0) {
                rc = join_record(db, v, &q, 1);
                if (rc == DB_CONFLICT || (rc == DB_OK && q->status
                                          && q->err.kind == UB_ECONFLICT)) {
                    kept = kept_answer(db, v, q->prep.key, &q->res, &q->err);
                    if (kept == 0 && rc == DB_CONFLICT)
                        refuse(q, UB_ECONFLICT, "application_pending",
                               "您的入会申请正在审核中");
                    rc = DB_OK;
                }
            }
            if (kept == 1) {
                q->replayed = true;
                q->status = 0;
            } else if (kept < 0) {
                q->status = -1;
            }
            if (rc != DB_OK)
                break;
        }
    }
    if (rc == DB_OK && k)
        rc = join_record(db, v, ready, k);
    free(ready);
    for (size_t i = 0; rc != DB_OK && i < n; i++)   /* nothing in it stands */
        reqs[i]->status = ub_fail_store(&reqs[i]->err, rc);
    return rc;
}

int join_commit(struct db *db, const struct vault *v, struct join_prep *p,
                struct join_result *out, bool *replayed, struct ub_err *err)
{
    struct join_req *q = xcalloc(1, sizeof *q);
    q->prep = *p;
    join_commit_many(db, v, &q, 1);
    *out = q->res;
    *replayed = q->replayed;
    *err = q->err;
    int status = q->status;
    free(q);
    return status;
}

int join_submit(struct db *db, const struct vault *v, const char *token,
                const struct join_input *in, const char *addr, const char *idem_key,
                int rate_limit, struct join_result *out, bool *replayed, struct ub_err *err)
{
    struct join_prep *p = xmalloc(sizeof *p);
    join_prepare(v, token, in, addr, idem_key, rate_limit, p);
    int rc = join_commit(db, v, p, out, replayed, err);
    free(p);
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
    bool pending, member;
    int rc = store_person_state(db, app->p.id_hash, &pending, &member);
    if (rc == DB_OK && member) {
        db_rollback(db);
        ub_fail(err, UB_ECONFLICT, "already_member", "此人已是会员");
        goto out;
    }
    if (rc == DB_OK)
        rc = make_member(db, app, out);
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
