/*
 * store_giveaway.c: giveaways (普惠), their striped stock, claims and
 * pickup codes.
 *
 * Claims are taken as a set, in one transaction: increments of stock
 * stripes (never past their cap) and the insert of the claims under the
 * unique (giveaway, member) key.  Either all commit or none does, so the
 * stock is never oversold and no member holds two claims, whatever the
 * concurrency and however many processes share the database.
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

#define CLAIMANT_COLS                                                          \
    "m.id, m.org_id, m.member_no, m.status, o.path, "                          \
    "COALESCE(c.pickup_code, ''), COALESCE(c.redeemed_at, 0) "

/* Reads CLAIMANT_COLS from column `at` on. */
static void read_claimant(struct db_stmt *st, int at, struct claimant *out)
{
    out->member_id = db_i64(st, at);
    out->org_id = db_i64(st, at + 1);
    store_col(st, at + 2, out->member_no, sizeof out->member_no);
    store_col(st, at + 3, out->status, sizeof out->status);
    store_col(st, at + 4, out->org_path, sizeof out->org_path);
    store_col(st, at + 5, out->pickup_code, sizeof out->pickup_code);
    out->redeemed_at = db_i64(st, at + 6);
}

int store_claimant(struct db *db, const char *access_digest, int64_t gid, struct claimant *out)
{
    struct db_stmt *st = db_run(db,
        "SELECT " CLAIMANT_COLS "FROM members m JOIN orgs o ON o.id = m.org_id "
        "LEFT JOIN giveaway_claims c ON c.giveaway_id = $2 AND c.member_id = m.id "
        "WHERE m.access_digest = $1 ORDER BY m.id DESC LIMIT 1", "si", access_digest, gid);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_claimant(st, 0, out);
    db_done(st);
    return rc;
}

int store_claimants(struct db *db, int64_t gid, const char *const *digests, size_t n,
                    struct claimant *out, bool *found)
{
    memset(found, 0, n * sizeof *found);
    if (store_sqlite(db)) {
        /* In process, a statement costs little: one each. */
        for (size_t i = 0; i < n; i++) {
            int rc = store_claimant(db, digests[i], gid, &out[i]);
            if (rc != DB_OK && rc != DB_NOTFOUND)
                return rc;
            found[i] = rc == DB_OK;
        }
        return DB_OK;
    }
    struct db_rows rows;
    db_rows_init(&rows, "s");
    for (size_t i = 0; i < n; i++)
        db_rows_add(&rows, digests[i]);
    /* Joined laterally (LIMIT keeps the planner from flattening them):
     * index lookups per digest, never a hash join over a whole table,
     * whatever the planner guesses of the list's length. */
    struct db_stmt *st = db_run(db,
        "SELECT d.k, " CLAIMANT_COLS
        "FROM unnest($1::text[]) WITH ORDINALITY AS d(digest, k) "
        "CROSS JOIN LATERAL (SELECT id, org_id, member_no, status FROM members "
        "WHERE access_digest = d.digest ORDER BY id DESC LIMIT 1) m "
        "CROSS JOIN LATERAL (SELECT path FROM orgs WHERE id = m.org_id LIMIT 1) o "
        "LEFT JOIN LATERAL (SELECT pickup_code, redeemed_at FROM giveaway_claims "
        "WHERE giveaway_id = $2 AND member_id = m.id LIMIT 1) c ON true",
        "Ri", &rows, gid);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t k = db_i64(st, 0) - 1;
        if (k >= 0 && (size_t)k < n) {
            read_claimant(st, 1, &out[k]);
            found[k] = true;
        }
    }
    db_done(st);
    db_rows_free(&rows);
    return rc == DB_DONE ? DB_OK : rc;
}

/* Takes from the stripe `sql` picks (its columns: stripe, base, cap,
 * taken), then the next it picks, until need units are taken or it picks
 * none.  Numbers follow each stripe's base. */
static int take_from(struct db *db, const char *sql, int64_t gid, int64_t need,
                     int64_t *numbers, int64_t *got)
{
    while (*got < need) {
        struct db_stmt *st = db_run(db, sql, "i", gid);
        int rc = db_step(st);
        int64_t stripe = 0, base = 0, cap = 0, taken = 0;
        if (rc == DB_ROW) {
            stripe = db_i64(st, 0);
            base = db_i64(st, 1);
            cap = db_i64(st, 2);
            taken = db_i64(st, 3);
        }
        db_done(st);
        if (rc == DB_DONE)
            return DB_OK;
        if (rc != DB_ROW)
            return rc;
        int64_t t = cap - taken < need - *got ? cap - taken : need - *got;
        rc = db_exec_stmt(db,
            "UPDATE giveaway_stock SET taken = taken + $3 WHERE giveaway_id = $1 AND stripe = $2",
            "iii", gid, stripe, t);
        if (rc != DB_OK)
            return rc;
        for (int64_t i = 1; i <= t; i++)
            numbers[(*got)++] = base + taken + i;
    }
    return DB_OK;
}

int store_giveaway_take(struct db *db, int64_t gid, int64_t need, int64_t *numbers,
                        int64_t *got)
{
    *got = 0;
    if (store_sqlite(db))               /* one writer: nothing to lock */
        return take_from(db,
            "SELECT stripe, base, cap, taken FROM giveaway_stock "
            "WHERE giveaway_id = $1 AND taken < cap ORDER BY stripe LIMIT 1",
            gid, need, numbers, got);
    /* Stripes no other transaction holds first, so that concurrent claims
     * do not queue.  If that falls short while others hold stripes with
     * stock, it gives back what it took and waits its turn for each stripe
     * in order: no two transactions then wait for each other. */
    int rc = db->ops->exec_literal(db, "SAVEPOINT take");
    if (rc != DB_OK)
        return rc;
    rc = take_from(db,
        "SELECT stripe, base, cap, taken FROM giveaway_stock "
        "WHERE giveaway_id = $1 AND taken < cap ORDER BY stripe LIMIT 1 FOR UPDATE SKIP LOCKED",
        gid, need, numbers, got);
    if (rc == DB_OK && *got < need) {
        struct db_stmt *st = db_run(db,
            "SELECT 1 FROM giveaway_stock WHERE giveaway_id = $1 AND taken < cap LIMIT 1",
            "i", gid);
        rc = db_step(st);
        db_done(st);
        if (rc == DB_ROW) {
            *got = 0;
            rc = db->ops->exec_literal(db, "ROLLBACK TO take");
            if (rc == DB_OK)
                rc = take_from(db,
                    "SELECT stripe, base, cap, taken FROM giveaway_stock "
                    "WHERE giveaway_id = $1 AND taken < cap ORDER BY stripe LIMIT 1 FOR UPDATE",
                    gid, need, numbers, got);
        } else if (rc == DB_DONE) {
            rc = DB_OK;
        }
    }
    int rc2 = db->ops->exec_literal(db, "RELEASE take");
    return rc != DB_OK ? rc : rc2;
}

static int cmp_member(const void *a, const void *b)
{
    int64_t x = (*(const struct claim_row *const *)a)->member_id;
    int64_t y = (*(const struct claim_row *const *)b)->member_id;
    return (x > y) - (x < y);
}

int store_giveaway_claims_insert(struct db *db, int64_t gid, struct claim_row *rows, size_t n,
                                 int64_t now)
{
    for (size_t i = 0; i < n; i++)
        rows[i].inserted = false;
    if (store_sqlite(db)) {
        for (size_t i = 0; i < n; i++) {
            struct db_stmt *st = db_run(db,
                "INSERT INTO giveaway_claims (giveaway_id, member_id, number, pickup_code, "
                "claimed_at, district_id) VALUES ($1, $2, $3, $4, $5, "
                "(SELECT district_id FROM members WHERE id = $2)) "
                "ON CONFLICT (giveaway_id, member_id) DO NOTHING RETURNING member_id",
                "iiisi", gid, rows[i].member_id, rows[i].number, rows[i].code, now);
            int rc = db_step(st);
            db_done(st);
            if (rc != DB_ROW && rc != DB_DONE)
                return rc;
            rows[i].inserted = rc == DB_ROW;
        }
        return DB_OK;
    }
    /* In member order: two transactions claiming for the same members (a
     * double tap that reached two processes) then wait for each other in
     * one order, never in a cycle. */
    struct claim_row **by_member = xmalloc(n * sizeof *by_member);
    for (size_t i = 0; i < n; i++)
        by_member[i] = &rows[i];
    qsort(by_member, n, sizeof *by_member, cmp_member);
    struct db_rows list;
    db_rows_init(&list, "iis");
    for (size_t i = 0; i < n; i++)
        db_rows_add(&list, by_member[i]->member_id, by_member[i]->number,
                    by_member[i]->code);
    struct db_stmt *st = db_run(db,
        "INSERT INTO giveaway_claims (giveaway_id, member_id, number, pickup_code, claimed_at, "
        "district_id) SELECT $1, x.m, x.n, x.c, $2, "
        "(SELECT district_id FROM members WHERE id = x.m) "
        "FROM unnest($3::bigint[], $4::bigint[], $5::text[]) AS x(m, n, c) "
        "ON CONFLICT (giveaway_id, member_id) DO NOTHING RETURNING member_id",
        "iiR", gid, now, &list);
    int rc;
    size_t at = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_i64(st, 0);
        /* Rows usually come back in the order given: a cursor finds them. */
        for (size_t k = 0; k < n; k++, at = (at + 1) % n)
            if (by_member[at]->member_id == id && !by_member[at]->inserted) {
                by_member[at]->inserted = true;
                break;
            }
    }
    db_done(st);
    free(by_member);
    db_rows_free(&list);
    return rc == DB_DONE ? DB_OK : rc;
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
