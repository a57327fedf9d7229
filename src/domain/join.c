/*
 * join.c: joining: join tokens, and a worker's join, alone (join_submit) or
 * in a set with others (join_commit_many, the batch writer's way).
 */
#include "domain/member.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/org.h"
#include "lib/crypto.h"
#include "lib/jsonx.h"

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

/* Where the joins of a set go, for each token's org and named employer
 * met in it (most of a set are workers of one employer at one meeting):
 * the employer, and the org joined. */
struct route {
    const char *path, *uscc, *name;     /* the join's; it outlives the set */
    int64_t employer_id;
    struct org_rec dest;
};

#define ROUTES_MAX 16

struct routes {
    struct route r[ROUTES_MAX];
    size_t n;                           /* when full, the last is replaced */
};

/* Then, still alone: the rate limit (counted by join_rate_count), the
 * fields, and where the join goes (rt: the set's routes so far).  Returns
 * 0 when the join goes on to be recorded (q->prep.a routed), -1 with
 * q->err. */
static int join_route(struct db *db, struct join_req *q, int64_t now, struct routes *rt)
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
    const char *uscc = a->p.employer_uscc, *name = a->p.employer_name;
    struct route *r = NULL;
    for (size_t i = 0; i < rt->n && !r; i++)
        if (strcmp(rt->r[i].path, q->source.path) == 0 && strcmp(rt->r[i].uscc, uscc) == 0
            && strcmp(rt->r[i].name, name) == 0)
            r = &rt->r[i];
    if (!r) {
        int64_t union_id = 0;
        r = &rt->r[rt->n < ROUTES_MAX ? rt->n++ : ROUTES_MAX - 1];
        *r = (struct route){.path = q->source.path, .uscc = uscc, .name = name};
        int rc = store_employer_union(db, q->source.path, uscc, name, &r->employer_id,
                                      &union_id);
        if (rc != DB_OK) {
            r->path = "";               /* not kept */
            return ub_fail_store(err, rc);
        }
        r->dest = q->source;
        if (union_id && union_id != q->source.id
            && store_org_by_id(db, union_id, &r->dest) != DB_OK)
            r->dest = q->source;
    }
    a->p.employer_id = r->employer_id;
    q->dest = r->dest;
    a->org_id = q->dest.id;
    a->district_id = q->dest.district_id;
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

/* The audit entry of q's recorded application (its detail written as
 * audit_entry's are, keys in order, without a jansson tree; its district
 * the one the join read with the org).  r->detail is the caller's to free. */
static void submission_entry(struct audit_rec *r, const struct join_req *q)
{
    struct actor w;
    actor_public(&w, "worker", q->prep.a.p.id_mask, q->prep.addr);
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)q->prep.a.id);
    struct buf d;
    buf_init(&d);
    jw_open(&d, NULL, '{');
    jw_str(&d, "channel", "qr");
    jw_str(&d, "org", q->dest.code);
    jw_str(&d, "source", q->source.code);
    jw_close(&d, '}');
    audit_entry(r, &w, "application.submit", "application", sid, q->dest.id, NULL);
    r->detail = buf_steal(&d, NULL);
    r->district_id = q->dest.district_id;
}

/* The second half, for the routed joins q[0..n-1] at once: one read of
 * who is a member already, one insert of the applications (which refuses
 * a second pending one for a person, within the set too), one of their
 * audit entries; then, row by row, those an org approves at once and the
 * kept answer of a join with an Idempotency-Key.  Returns DB_OK or the
 * code that failed it all (then nothing it wrote is kept). */
static int join_record(struct db *db, const struct vault *v, struct join_req **q, size_t n)
{
    const unsigned char **hashes = xmalloc(n * sizeof *hashes);
    bool *member = xmalloc(n * sizeof *member);
    struct application_rec **apps = xmalloc(n * sizeof *apps);
    bool *inserted = xmalloc(n * sizeof *inserted);
    struct audit_rec *audit = xmalloc(n * sizeof *audit);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        hashes[i] = q[i]->prep.a.p.id_hash;
    int rc = store_members_live(db, hashes, n, member);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        if (member[i]) {
            refuse(q[i], UB_ECONFLICT, "already_member", "您已是工会会员，无需重复入会");
            continue;
        }
        apps[k] = &q[i]->prep.a;
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
            submission_entry(&audit[na++], q[i]);
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
            actor_public(&w, "worker", apps[i]->p.id_mask, q[i]->prep.addr);
            char sid[24];
            snprintf(sid, sizeof sid, "%lld", (long long)apps[i]->id);
            rc = member_from_application(db, apps[i], &m);
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
        /* Refused (status -1) or answered from a kept answer (replayed)
         * here, or going on. */
        q->status = join_open(db, v, q, opened) < 0 ? -1 : 0;
        bool going = q->status == 0 && !q->replayed;
        if (going)
            opened = q;
        /* A retry of a join earlier in the set (its Idempotency-Key) is
         * answered as that one is, below, and not counted again. */
        q->retry = false;
        for (size_t j = 0; going && *q->prep.key && j < i && !q->retry; j++)
            q->retry = reqs[j]->status == 0 && !reqs[j]->replayed
                       && strcmp(reqs[j]->prep.key, q->prep.key) == 0;
        if (going && q->prep.rate_limit > 0 && !q->retry)
            ready[counted++] = q;
    }
    int rc = join_rate_count(db, ready, counted, now);
    struct routes *routes = xmalloc(sizeof *routes);
    routes->n = 0;
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        struct join_req *q = reqs[i];
        if (q->status || q->replayed)
            continue;
        if (join_route(db, q, now, routes))
            q->status = -1;
        else if (!*q->prep.key)
            ready[k++] = q;
        else {
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
    free(routes);
    free(ready);
    for (size_t i = 0; rc != DB_OK && i < n; i++)   /* nothing in it stands */
        reqs[i]->status = ub_fail_store(&reqs[i]->err, rc);
    return rc;
}

int join_submit(struct db *db, const struct vault *v, const char *token,
                const struct join_input *in, const char *addr, const char *idem_key,
                int rate_limit, struct join_result *out, bool *replayed, struct ub_err *err)
{
    struct join_req *q = xcalloc(1, sizeof *q);
    join_prepare(v, token, in, addr, idem_key, rate_limit, &q->prep);
    join_commit_many(db, v, &q, 1);
    *out = q->res;
    *replayed = q->replayed;
    *err = q->err;
    int status = q->status;
    free(q);
    return status;
}
