/*
 * store_giveaway.c: giveaways (普惠), their striped stock, claims and
 * pickup codes.
 *
 * A claim is one transaction: a conditional increment of one stock stripe
 * (taken < cap) and the insert of the claim under the unique (giveaway,
 * member) key.  Either both commit or neither does, so the stock is never
 * oversold and no member holds two claims, whatever the concurrency and
 * however many processes share the database.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_services.h"
#include "store/store_util.h"

#define GIVEAWAY_SELECT                                                        \
    "SELECT g.id, g.org_id, g.district_id, g.name, o.code, o.name, o.path, "   \
    "g.stock, g.stripes, g.opens_at, g.closes_at, g.created_at "               \
    "FROM giveaways g JOIN orgs o ON o.id = g.org_id "

static void read_giveaway(struct db_stmt *st, struct giveaway_rec *g)
{
    g->id = db_i64(st, 0);
    g->org_id = db_i64(st, 1);
    g->district_id = db_i64(st, 2);
    store_col(st, 3, g->name, sizeof g->name);
    store_col(st, 4, g->org_code, sizeof g->org_code);
    store_col(st, 5, g->org_name, sizeof g->org_name);
    store_col(st, 6, g->org_path, sizeof g->org_path);
    g->stock = db_i64(st, 7);
    g->stripes = db_i64(st, 8);
    g->opens_at = db_i64(st, 9);
    g->closes_at = db_i64(st, 10);
    g->created_at = db_i64(st, 11);
}

int store_giveaway_insert(struct db *db, struct giveaway_rec *g, int64_t by)
{
    g->created_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO giveaways (name, org_id, stock, stripes, opens_at, closes_at, district_id, "
        "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
        "(SELECT district_id FROM orgs WHERE id = $2), $7, $8) RETURNING id, district_id",
        "siiiiiIi", g->name, g->org_id, g->stock, g->stripes, g->opens_at, g->closes_at, by,
        g->created_at);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        g->id = db_i64(st, 0);
        g->district_id = db_i64(st, 1);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    /* Stripe k holds stock / stripes units, the first stock % stripes one
     * more; their claim numbers follow each other. */
    int64_t base = 0;
    for (int64_t k = 0; rc == DB_OK && k < g->stripes; k++) {
        int64_t cap = g->stock / g->stripes + (k < g->stock % g->stripes ? 1 : 0);
        rc = db_exec_stmt(db, "INSERT INTO giveaway_stock (giveaway_id, stripe, base, cap, "
                              "taken, district_id) VALUES ($1, $2, $3, $4, 0, $5)",
                          "iiiii", g->id, k, base, cap, g->district_id);
        base += cap;
    }
    return rc;
}

int store_giveaway_by_id(struct db *db, int64_t id, struct giveaway_rec *out)
{
    struct db_stmt *st = db_run(db, GIVEAWAY_SELECT "WHERE g.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_giveaway(st, out);
    db_done(st);
    return rc;
}

static int walk(struct db_stmt *st, giveaway_cb cb, void *ud)
{
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct giveaway_rec *g = xmalloc(sizeof *g);
    while ((rc = db_step(st)) == DB_ROW) {
        read_giveaway(st, g);
        if ((stop = cb(ud, g)) != 0)
            break;
    }
    free(g);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_giveaway_list(struct db *db, const char *path, int64_t district, int limit,
                        giveaway_cb cb, void *ud)
{
    (void)district;     /* giveaways above the district (the city's) count too */
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    return walk(db_run(db, GIVEAWAY_SELECT "WHERE (o.path >= $1 AND o.path < $2) "
                           "OR substr($1, 1, length(o.path)) = o.path "
                           "ORDER BY g.id DESC LIMIT $3", "ssi", path, hi, (int64_t)limit),
                cb, ud);
}

int store_giveaway_open_for(struct db *db, const char *member_path, int64_t now, int limit,
                            giveaway_cb cb, void *ud)
{
    /* The giveaway's org is an ancestor of (or is) the member's org: its
     * path is a prefix of the member's. */
    return walk(db_run(db, GIVEAWAY_SELECT
                           "WHERE substr($1, 1, length(o.path)) = o.path "
                           "AND g.opens_at <= $2 AND g.closes_at > $2 "
                           "ORDER BY g.id DESC LIMIT $3",
                       "sii", member_path, now, (int64_t)limit), cb, ud);
}

int store_giveaway_counts(struct db *db, int64_t id, int64_t *claimed, int64_t *redeemed)
{
    struct db_stmt *st = db_run(db,
        "SELECT (SELECT COALESCE(sum(taken), 0) FROM giveaway_stock WHERE giveaway_id = $1), "
        "(SELECT count(*) FROM giveaway_claims WHERE giveaway_id = $1 "
        "AND redeemed_at IS NOT NULL)", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        *claimed = db_i64(st, 0);
        *redeemed = db_i64(st, 1);
    }
    db_done(st);
    return rc;
}

/* ---- Claiming ------------------------------------------------------------- */

int store_claimant(struct db *db, const char *access_digest, int64_t gid, struct claimant *out)
{
    struct db_stmt *st = db_run(db,
        "SELECT m.id, m.org_id, m.member_no, m.status, o.path, "
        "COALESCE(c.pickup_code, ''), COALESCE(c.redeemed_at, 0) "
        "FROM members m JOIN orgs o ON o.id = m.org_id "
        "LEFT JOIN giveaway_claims c ON c.giveaway_id = $2 AND c.member_id = m.id "
        "WHERE m.access_digest = $1 ORDER BY m.id DESC LIMIT 1", "si", access_digest, gid);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        out->member_id = db_i64(st, 0);
        out->org_id = db_i64(st, 1);
        store_col(st, 2, out->member_no, sizeof out->member_no);
        store_col(st, 3, out->status, sizeof out->status);
        store_col(st, 4, out->org_path, sizeof out->org_path);
        store_col(st, 5, out->pickup_code, sizeof out->pickup_code);
        out->redeemed_at = db_i64(st, 6);
    }
    db_done(st);
    return rc;
}

int store_giveaway_take(struct db *db, int64_t gid, int64_t stripes, int64_t member_id,
                        int64_t *number)
{
    for (int64_t k = 0; k < stripes; k++) {
        int64_t stripe = (member_id + k) % stripes;
        struct db_stmt *st = db_run(db,
            "UPDATE giveaway_stock SET taken = taken + 1 "
            "WHERE giveaway_id = $1 AND stripe = $2 AND taken < cap RETURNING base + taken",
            "ii", gid, stripe);
        int rc = db_step(st);
        if (rc == DB_ROW)
            *number = db_i64(st, 0);
        db_done(st);
        if (rc == DB_ROW)
            return DB_OK;
        if (rc != DB_DONE)
            return rc;
    }
    return DB_NOTFOUND;
}

int store_giveaway_claim_insert(struct db *db, int64_t gid, int64_t member_id, int64_t number,
                                const char *pickup_code, int64_t now)
{
    return db_exec_stmt(db,
        "INSERT INTO giveaway_claims (giveaway_id, member_id, number, pickup_code, claimed_at, "
        "district_id) VALUES ($1, $2, $3, $4, $5, (SELECT district_id FROM members WHERE id = $2))",
        "iiisi", gid, member_id, number, pickup_code, now);
}

int store_pickup_get(struct db *db, int64_t gid, const char *code, struct pickup_rec *out)
{
    struct db_stmt *st = db_run(db,
        "SELECT c.member_id, m.org_id, c.number, c.claimed_at, COALESCE(c.redeemed_at, 0), "
        "m.member_no, m.name, o.path FROM giveaway_claims c "
        "JOIN members m ON m.id = c.member_id JOIN orgs o ON o.id = m.org_id "
        "WHERE c.giveaway_id = $1 AND c.pickup_code = $2", "is", gid, code);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        out->member_id = db_i64(st, 0);
        out->org_id = db_i64(st, 1);
        out->number = db_i64(st, 2);
        out->claimed_at = db_i64(st, 3);
        out->redeemed_at = db_i64(st, 4);
        store_col(st, 5, out->member_no, sizeof out->member_no);
        store_col(st, 6, out->member_name, sizeof out->member_name);
        store_col(st, 7, out->org_path, sizeof out->org_path);
    }
    db_done(st);
    return rc;
}

int store_pickup_redeem(struct db *db, int64_t gid, const char *code, int64_t by, int64_t now)
{
    struct db_stmt *st = db_run(db,
        "UPDATE giveaway_claims SET redeemed_at = $1, redeemed_by = $2 "
        "WHERE giveaway_id = $3 AND pickup_code = $4 AND redeemed_at IS NULL "
        "RETURNING member_id", "iIis", now, by, gid, code);
    int rc = store_one(db_step(st));
    db_done(st);
    return rc;
}
