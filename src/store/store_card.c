/*
 * store_card.c: mutual-aid cards (互助服务卡) and the counts of cards
 * issued per event and period.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_services.h"
#include "store/store_util.h"

#define CARD_SELECT                                                            \
    "SELECT c.id, c.member_id, c.org_id, COALESCE(c.event_id, 0), "            \
    "COALESCE(c.replaces_id, 0), m.member_no, c.card_hash, c.card_enc, "       \
    "c.card_last4, c.status, COALESCE(c.end_reason, ''), c.issued_on, "        \
    "c.issued_at, COALESCE(c.ended_at, 0) "                                    \
    "FROM cards c JOIN members m ON m.id = c.member_id "

static void read_card(struct db_stmt *st, struct card_rec *c)
{
    c->id = db_i64(st, 0);
    c->member_id = db_i64(st, 1);
    c->org_id = db_i64(st, 2);
    c->event_id = db_i64(st, 3);
    c->replaces_id = db_i64(st, 4);
    store_col(st, 5, c->member_no, sizeof c->member_no);
    size_t n;
    const void *h = db_blob(st, 6, &n);
    if (h && n == sizeof c->card_hash)
        memcpy(c->card_hash, h, n);
    else
        memset(c->card_hash, 0, sizeof c->card_hash);
    const void *p = db_blob(st, 7, &n);
    c->card_enc_len = p && n <= sizeof c->card_enc ? n : 0;
    if (c->card_enc_len)
        memcpy(c->card_enc, p, c->card_enc_len);
    store_col(st, 8, c->last4, sizeof c->last4);
    store_col(st, 9, c->status, sizeof c->status);
    store_col(st, 10, c->end_reason, sizeof c->end_reason);
    store_col(st, 11, c->issued_on, sizeof c->issued_on);
    c->issued_at = db_i64(st, 12);
    c->ended_at = db_i64(st, 13);
}

int store_card_insert(struct db *db, struct card_rec *c, int64_t by)
{
    struct db_stmt *st = db_run(db,
        "INSERT INTO cards (member_id, org_id, event_id, card_hash, card_enc, card_last4, "
        "status, replaces_id, issued_on, issued_at, issued_by, district_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'live', $7, $8, $9, $10, "
        "(SELECT district_id FROM orgs WHERE id = $2)) RETURNING id",
        "iiIbbsIsiI", c->member_id, c->org_id, c->event_id, c->card_hash,
        sizeof c->card_hash, c->card_enc, c->card_enc_len, c->last4, c->replaces_id, c->issued_on, c->issued_at, by);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        c->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    if (rc == DB_OK)
        ub_strlcpy(c->status, "live", sizeof c->status);
    return rc;
}

int store_card_live(struct db *db, int64_t member_id, struct card_rec *out)
{
    struct db_stmt *st = db_run(db, CARD_SELECT "WHERE c.member_id = $1 AND c.status = 'live'",
                                "i", member_id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_card(st, out);
    db_done(st);
    return rc;
}

int store_card_number_taken(struct db *db, const unsigned char card_hash[PERSON_DIGEST_BYTES],
                            bool *taken)
{
    struct db_stmt *st = db_run(db, "SELECT count(*) FROM cards WHERE card_hash = $1", "b",
                                card_hash, (size_t)PERSON_DIGEST_BYTES);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        *taken = db_i64(st, 0) > 0;
    db_done(st);
    return rc;
}

int store_card_end(struct db *db, int64_t id, const char *status, const char *reason)
{
    struct db_stmt *st = db_run(db,
        "UPDATE cards SET status = $1, end_reason = $2, ended_at = $3 "
        "WHERE id = $4 AND status = 'live' RETURNING id", "ssii", status, reason, ub_now(), id);
    int rc = store_one(db_step(st));
    db_done(st);
    return rc;
}

int store_card_history(struct db *db, int64_t member_id, card_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db, CARD_SELECT "WHERE c.member_id = $1 ORDER BY c.id DESC",
                                "i", member_id);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct card_rec *c = xmalloc(sizeof *c);
    while ((rc = db_step(st)) == DB_ROW) {
        read_card(st, c);
        if ((stop = cb(ud, c)) != 0)
            break;
    }
    free(c);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_event_org(struct db *db, int64_t event_id, int64_t *org_id, char *path, size_t n)
{
    struct db_stmt *st = db_run(db, "SELECT e.org_id, o.path FROM events e "
                                    "JOIN orgs o ON o.id = e.org_id WHERE e.id = $1",
                                "i", event_id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        *org_id = db_i64(st, 0);
        store_col(st, 1, path, n);
    }
    db_done(st);
    return rc;
}

int store_card_counts(struct db *db, const char *path, int64_t district, const char *from,
                      const char *to, card_count_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (district)
        st = db_run(db, "SELECT COALESCE(c.event_id, 0), count(*) FROM cards c "
                        "JOIN orgs o ON o.id = c.org_id "
                        "WHERE c.district_id = $5 AND o.path >= $1 AND o.path < $2 "
                        "AND c.issued_on >= $3 AND c.issued_on <= $4 "
                        "GROUP BY COALESCE(c.event_id, 0) ORDER BY 1",
                    "ssssi", path, hi, from, to, district);
    else
        st = db_run(db, "SELECT COALESCE(c.event_id, 0), count(*) FROM cards c "
                        "JOIN orgs o ON o.id = c.org_id "
                        "WHERE o.path >= $1 AND o.path < $2 "
                        "AND c.issued_on >= $3 AND c.issued_on <= $4 "
                        "GROUP BY COALESCE(c.event_id, 0) ORDER BY 1",
                    "ssss", path, hi, from, to);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    while ((rc = db_step(st)) == DB_ROW)
        if ((stop = cb(ud, db_i64(st, 0), db_i64(st, 1))) != 0)
            break;
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}
