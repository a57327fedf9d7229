/*
 * store_claim.c: reimbursement plan rules (二次报销), claims and each
 * member's running totals per year and kind.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_services.h"
#include "store/store_util.h"

/* ---- Plans ------------------------------------------------------------- */

static void read_plan(struct db_stmt *st, struct plan_rec *p)
{
    p->id = db_i64(st, 0);
    p->year = (int)db_i64(st, 1);
    store_col(st, 2, p->kind, sizeof p->kind);
    p->deductible_fen = db_i64(st, 3);
    p->ratio_bp = db_i64(st, 4);
    p->cap_fen = db_i64(st, 5);
    p->created_at = db_i64(st, 6);
}

int store_plan_insert(struct db *db, struct plan_rec *p, int64_t by)
{
    p->created_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO claim_plans (year, kind, deductible_fen, ratio_bp, cap_fen, created_by, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        "isiiiIi", (int64_t)p->year, p->kind, p->deductible_fen, p->ratio_bp, p->cap_fen, by,
        p->created_at);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        p->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    return rc;
}

int store_plan_get(struct db *db, int year, const char *kind, struct plan_rec *out)
{
    struct db_stmt *st = db_run(db,
        "SELECT id, year, kind, deductible_fen, ratio_bp, cap_fen, created_at "
        "FROM claim_plans WHERE year = $1 AND kind = $2", "is", (int64_t)year, kind);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_plan(st, out);
    db_done(st);
    return rc;
}

int store_plan_list(struct db *db, int year, plan_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db,
        "SELECT id, year, kind, deductible_fen, ratio_bp, cap_fen, created_at "
        "FROM claim_plans WHERE ($1 = 0 OR year = $1) ORDER BY year, kind", "i",
        (int64_t)year);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct plan_rec p;
    while ((rc = db_step(st)) == DB_ROW) {
        read_plan(st, &p);
        if ((stop = cb(ud, &p)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- Totals -------------------------------------------------------------- */

int store_claim_totals_lock(struct db *db, int64_t member_id, int year, const char *kind,
                            const unsigned char *fresh, size_t fresh_len, unsigned char *enc,
                            size_t cap, size_t *len)
{
    /* ON CONFLICT DO UPDATE locks the existing row (PostgreSQL) and reads
     * its newest committed value; SQLite has one writer anyway. */
    struct db_stmt *st = db_run(db,
        "INSERT INTO claim_totals (member_id, year, kind, totals_enc, district_id) "
        "VALUES ($1, $2, $3, $4, (SELECT district_id FROM members WHERE id = $1)) "
        "ON CONFLICT (member_id, year, kind) DO UPDATE SET district_id = claim_totals.district_id "
        "RETURNING totals_enc", "iisb", member_id, (int64_t)year, kind, fresh, fresh_len);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        store_blob(st, 0, enc, cap, len);
    db_done(st);
    return rc == DB_NOTFOUND ? DB_ERROR : rc;
}

int store_claim_totals_set(struct db *db, int64_t member_id, int year, const char *kind,
                           const unsigned char *enc, size_t len)
{
    return db_exec_stmt(db, "UPDATE claim_totals SET totals_enc = $1 "
                            "WHERE member_id = $2 AND year = $3 AND kind = $4",
                        "biis", enc, len, member_id, (int64_t)year, kind);
}

/* ---- Claims ---------------------------------------------------------------- */

#define CLAIM_SELECT                                                           \
    "SELECT c.id, c.member_id, c.org_id, c.card_id, m.member_no, m.name, "     \
    "o.code, o.path, k.card_last4, c.year, c.kind, c.claim_date, c.status, "   \
    "c.selfpay_enc, c.payout_enc, COALESCE(c.reason, ''), "                    \
    "COALESCE(c.pay_ref, ''), COALESCE(c.submitted_by, 0), "                   \
    "COALESCE(c.verified_by, 0), COALESCE(c.decided_by, 0), "                  \
    "COALESCE(c.paid_by, 0), c.submitted_at, COALESCE(c.verified_at, 0), "     \
    "COALESCE(c.decided_at, 0), COALESCE(c.paid_at, 0) "                       \
    "FROM claims c JOIN members m ON m.id = c.member_id "                      \
    "JOIN orgs o ON o.id = c.org_id JOIN cards k ON k.id = c.card_id "

static void read_claim(struct db_stmt *st, struct claim_rec *c)
{
    c->id = db_i64(st, 0);
    c->member_id = db_i64(st, 1);
    c->org_id = db_i64(st, 2);
    c->card_id = db_i64(st, 3);
    store_col(st, 4, c->member_no, sizeof c->member_no);
    store_col(st, 5, c->member_name, sizeof c->member_name);
    store_col(st, 6, c->org_code, sizeof c->org_code);
    store_col(st, 7, c->org_path, sizeof c->org_path);
    store_col(st, 8, c->card_last4, sizeof c->card_last4);
    c->year = (int)db_i64(st, 9);
    store_col(st, 10, c->kind, sizeof c->kind);
    store_col(st, 11, c->claim_date, sizeof c->claim_date);
    store_col(st, 12, c->status, sizeof c->status);
    store_blob(st, 13, c->selfpay_enc, sizeof c->selfpay_enc, &c->selfpay_enc_len);
    store_blob(st, 14, c->payout_enc, sizeof c->payout_enc, &c->payout_enc_len);
    store_col(st, 15, c->reason, sizeof c->reason);
    store_col(st, 16, c->pay_ref, sizeof c->pay_ref);
    c->submitted_by = db_i64(st, 17);
    c->verified_by = db_i64(st, 18);
    c->decided_by = db_i64(st, 19);
    c->paid_by = db_i64(st, 20);
    c->submitted_at = db_i64(st, 21);
    c->verified_at = db_i64(st, 22);
    c->decided_at = db_i64(st, 23);
    c->paid_at = db_i64(st, 24);
}

int store_claim_insert(struct db *db, struct claim_rec *c)
{
    c->submitted_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO claims (member_id, org_id, card_id, year, kind, claim_date, status, "
        "selfpay_enc, payout_enc, submitted_by, submitted_at, district_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, "
        "(SELECT district_id FROM orgs WHERE id = $2)) RETURNING id",
        "iiiissbbIi", c->member_id, c->org_id, c->card_id, (int64_t)c->year, c->kind,
        c->claim_date, c->selfpay_enc, c->selfpay_enc_len, c->payout_enc, c->payout_enc_len,
        c->submitted_by, c->submitted_at);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        c->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    if (rc == DB_OK)
        ub_strlcpy(c->status, "submitted", sizeof c->status);
    return rc;
}

int store_claim_by_id(struct db *db, int64_t id, struct claim_rec *out)
{
    struct db_stmt *st = db_run(db, CLAIM_SELECT "WHERE c.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_claim(st, out);
    db_done(st);
    return rc;
}

int store_claim_step(struct db *db, int64_t id, const char *from, const char *to, int64_t by,
                     const char *note)
{
    struct db_stmt *st;
    int64_t now = ub_now();
    if (strcmp(to, "verified") == 0)
        st = db_run(db, "UPDATE claims SET status = 'verified', verified_by = $1, "
                        "verified_at = $2 WHERE id = $3 AND status = $4 RETURNING id",
                    "Iiis", by, now, id, from);
    else if (strcmp(to, "approved") == 0)
        st = db_run(db, "UPDATE claims SET status = 'approved', decided_by = $1, "
                        "decided_at = $2 WHERE id = $3 AND status = $4 RETURNING id",
                    "Iiis", by, now, id, from);
    else if (strcmp(to, "rejected") == 0)
        st = db_run(db, "UPDATE claims SET status = 'rejected', decided_by = $1, "
                        "decided_at = $2, reason = $5 WHERE id = $3 AND status = $4 "
                        "RETURNING id", "Iiiss", by, now, id, from, note);
    else if (strcmp(to, "paid") == 0)
        st = db_run(db, "UPDATE claims SET status = 'paid', paid_by = $1, paid_at = $2, "
                        "pay_ref = $5 WHERE id = $3 AND status = $4 RETURNING id",
                    "Iiiss", by, now, id, from, note && *note ? note : NULL);
    else
        return DB_ERROR;
    int rc = store_one(db_step(st));
    db_done(st);
    return rc;
}

int store_claim_list(struct db *db, const char *path, int64_t district, const char *status,
                     int year, int64_t before, int limit, claim_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (district)
        st = db_run(db, CLAIM_SELECT
                    "WHERE c.district_id = $7 AND o.path >= $1 AND o.path < $2 "
                    "AND ($3 = '' OR c.status = $3) AND ($4 = 0 OR c.year = $4) "
                    "AND ($5 = 0 OR c.id < $5) ORDER BY c.id DESC LIMIT $6",
                    "sssiiii", path, hi, status, (int64_t)year, before, (int64_t)limit,
                    district);
    else
        st = db_run(db, CLAIM_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 "
                    "AND ($3 = '' OR c.status = $3) AND ($4 = 0 OR c.year = $4) "
                    "AND ($5 = 0 OR c.id < $5) ORDER BY c.id DESC LIMIT $6",
                    "sssiii", path, hi, status, (int64_t)year, before, (int64_t)limit);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct claim_rec *c = xmalloc(sizeof *c);
    while ((rc = db_step(st)) == DB_ROW) {
        read_claim(st, c);
        if ((stop = cb(ud, c)) != 0)
            break;
    }
    free(c);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}
