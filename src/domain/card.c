/*
 * card.c: mutual-aid service cards: registration, reissue, loss, counts.
 */
#include "domain/card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/member.h"
#include "domain/org.h"
#include "store/store_event.h"
#include "store/store_stats.h"

int card_number_check(const char *in, char out[CARD_NO_MAX + 1], struct ub_err *err)
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p < '0' || *p > '9' || n == CARD_NO_MAX)
            return ub_fail_field(err, UB_EINVALID, "invalid_card_no", "card_no",
                                 "卡号应为16至19位数字");
        out[n++] = *p;
    }
    out[n] = 0;
    if (n < CARD_NO_MIN)
        return ub_fail_field(err, UB_EINVALID, "invalid_card_no", "card_no",
                             "卡号应为16至19位数字");
    /* Luhn: double every second digit from the right. */
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = out[n - 1 - i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    if (sum % 10 != 0)
        return ub_fail_field(err, UB_EINVALID, "invalid_card_no", "card_no",
                             "卡号校验位不正确，请核对");
    return 0;
}

void card_mask(const struct card_rec *c, char out[24])
{
    snprintf(out, 24, "**** **** **** %.4s", c->last4);
}

/* Checks the event a card is handed out at. */
static int event_check(struct db *db, const struct actor *a, int64_t event_id,
                       struct ub_err *err)
{
    if (event_id == 0)
        return 0;
    int64_t org_id;
    char path[ORG_PATH_MAX + 1];
    int rc = event_id > 0 ? store_event_org(db, event_id, &org_id, path, sizeof path)
                          : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_EINVALID, "event_not_found", "event_id", "活动不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, path, err);
}

/* Everything a new card needs before the transaction: the member (write
 * permission), the number checked, sealed and not taken, the event. */
static int card_prepare(struct db *db, const struct vault *v, const struct actor *a,
                        const char *member_no, const char *card_no, int64_t event_id,
                        struct member_rec *m, struct card_rec *c, struct ub_err *err)
{
    if (member_get(db, a, member_no, m, err) || actor_may(a, PERM_WRITE, m->org_path, err))
        return -1;
    char number[CARD_NO_MAX + 1];
    if (card_number_check(card_no, number, err) || event_check(db, a, event_id, err))
        return -1;
    if (strcmp(m->status, "active") != 0)
        return ub_fail(err, UB_ECONFLICT, "member_not_active",
                       "只有正常状态的会员可以办理互助服务卡");
    memset(c, 0, sizeof *c);
    vault_digest(v, "card", number, c->card_hash);
    bool taken = false;
    int rc = store_card_number_taken(db, c->card_hash, &taken);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (taken)
        return ub_fail_field(err, UB_ECONFLICT, "card_no_taken", "card_no",
                             "该卡号已登记过");
    size_t n = strlen(number);
    vault_seal(v, number, n, c->card_enc);
    c->card_enc_len = n + VAULT_SEAL_OVERHEAD;
    ub_strlcpy(c->last4, number + n - 4, sizeof c->last4);
    c->member_id = m->id;
    c->org_id = m->org_id;
    c->event_id = event_id;
    c->issued_at = ub_now();
    ub_local_date(c->issued_at, c->issued_on);
    ub_strlcpy(c->member_no, m->member_no, sizeof c->member_no);
    return 0;
}

/* A card handed out counts where reports count cards: on its event's tally
 * (so staff need not also tap the tally page), or, without an event, for
 * the member's org on the day. */
static int count_card(struct db *db, const struct card_rec *c)
{
    if (!c->event_id)
        return store_stats_add(db, c->org_id, c->issued_on, "cards", "", 1);
    struct event_rec *e = xmalloc(sizeof *e);
    int64_t n;
    int rc = store_event_by_id(db, c->event_id, e);
    if (rc == DB_OK)
        rc = store_tally_add(db, e->id, "cards", "", 1, &n);
    if (rc == DB_OK)
        rc = store_stats_add(db, e->org_id, e->starts_on, "cards", "", 1);
    free(e);
    return rc;
}

static int card_write(struct db *db, const struct actor *a, const struct member_rec *m,
                      struct card_rec *c, const char *action, json_t *detail,
                      struct ub_err *err)
{
    int rc = store_card_insert(db, c, a->user_id);
    if (rc == DB_CONFLICT) {
        json_decref(detail);
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "card_exists", "该会员已有在用的互助服务卡");
    }
    if (rc == DB_OK)
        rc = count_card(db, c);
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)c->id);
    json_object_set_new(detail, "member_no", json_string(m->member_no));
    json_object_set_new(detail, "last4", json_string(c->last4));
    if (c->event_id)
        json_object_set_new(detail, "event_id", json_integer(c->event_id));
    if (rc == DB_OK)
        rc = audit_log(db, a, action, "card", sid, m->org_id, detail);
    else
        json_decref(detail);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int card_register(struct db *db, const struct vault *v, const struct actor *a,
                  const char *member_no, const char *card_no, int64_t event_id,
                  struct card_rec *out, struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (card_prepare(db, v, a, member_no, card_no, event_id, m, out, err))
        goto out;
    struct card_rec live;
    int rc = store_card_live(db, m->id, &live);
    if (rc == DB_OK) {
        ub_fail(err, UB_ECONFLICT, "card_exists", "该会员已有在用的互助服务卡（尾号%s），"
                "如需换卡请办理补卡", live.last4);
        goto out;
    }
    if (rc != DB_NOTFOUND) {
        ub_fail_store(err, rc);
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    status = card_write(db, a, m, out, "card.issue", json_object(), err);
out:
    free(m);
    return status;
}

int card_reissue(struct db *db, const struct vault *v, const struct actor *a,
                 const char *member_no, const char *card_no, int64_t event_id,
                 const char *reason, struct card_rec *out, struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (card_prepare(db, v, a, member_no, card_no, event_id, m, out, err))
        goto out;
    if (name_check("reason", reason, 100, err)) {
        ub_fail_field(err, UB_EINVALID, err->code, "reason", "请填写补卡原因（不超过100字）");
        goto out;
    }
    struct card_rec live;
    int rc = store_card_live(db, m->id, &live);
    if (rc == DB_NOTFOUND) {
        ub_fail(err, UB_ENOTFOUND, "no_live_card", "该会员没有在用的互助服务卡");
        goto out;
    }
    if (rc != DB_OK) {
        ub_fail_store(err, rc);
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    rc = store_card_end(db, live.id, "replaced", reason);
    if (rc != DB_OK) {
        tx_fail(db, rc == DB_NOTFOUND ? DB_BUSY : rc, err);
        goto out;
    }
    out->replaces_id = live.id;
    status = card_write(db, a, m, out, "card.reissue",
                        json_pack("{s:I, s:s}", "replaces", (json_int_t)live.id, "reason",
                                  reason), err);
out:
    free(m);
    return status;
}

int card_report_lost(struct db *db, const struct actor *a, const char *member_no,
                     const char *reason, struct ub_err *err)
{
    struct member_rec *m = xmalloc(sizeof *m);
    int status = -1;
    if (member_get(db, a, member_no, m, err) || actor_may(a, PERM_WRITE, m->org_path, err))
        goto out;
    if (name_check("reason", reason, 100, err)) {
        ub_fail_field(err, UB_EINVALID, err->code, "reason", "请填写挂失原因（不超过100字）");
        goto out;
    }
    struct card_rec live;
    int rc = store_card_live(db, m->id, &live);
    if (rc == DB_NOTFOUND) {
        ub_fail(err, UB_ENOTFOUND, "no_live_card", "该会员没有在用的互助服务卡");
        goto out;
    }
    if (rc != DB_OK) {
        ub_fail_store(err, rc);
        goto out;
    }
    if (tx_begin(db, err))
        goto out;
    rc = store_card_end(db, live.id, "lost", reason);
    if (rc == DB_NOTFOUND) {
        db_rollback(db);
        ub_fail(err, UB_ENOTFOUND, "no_live_card", "该会员没有在用的互助服务卡");
        goto out;
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)live.id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "card.lost", "card", sid, m->org_id,
                       json_pack("{s:s, s:s, s:s}", "member_no", m->member_no, "last4",
                                 live.last4, "reason", reason));
    if (rc != DB_OK) {
        tx_fail(db, rc, err);
        goto out;
    }
    status = tx_commit(db, err);
out:
    free(m);
    return status;
}

int card_of_member(struct db *db, const struct actor *a, const char *member_no,
                   struct member_rec *m, struct card_rec *live, bool *has_live, card_cb cb,
                   void *ud, struct ub_err *err)
{
    if (member_get(db, a, member_no, m, err))
        return -1;
    int rc = store_card_live(db, m->id, live);
    *has_live = rc == DB_OK;
    if (rc != DB_OK && rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);
    rc = cb ? store_card_history(db, m->id, cb, ud) : DB_OK;
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int card_of_token_member(struct db *db, const struct member_rec *m, struct card_rec *live,
                         bool *has_live)
{
    int rc = store_card_live(db, m->id, live);
    *has_live = rc == DB_OK;
    return rc == DB_NOTFOUND ? DB_OK : rc;
}

int card_counts(struct db *db, const struct actor *a, const char *org, const char *from,
                const char *to, card_count_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    if (!ub_date_valid(from))
        return ub_fail_field(err, UB_EBAD, "bad_query", "from", "from 应为 YYYY-MM-DD 日期");
    if (!ub_date_valid(to))
        return ub_fail_field(err, UB_EBAD, "bad_query", "to", "to 应为 YYYY-MM-DD 日期");
    if (strcmp(from, to) > 0)
        return ub_fail_field(err, UB_EBAD, "bad_query", "to", "to 不能早于 from");
    int rc = store_card_counts(db, t.path, t.district, from, to, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}
