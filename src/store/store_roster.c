/*
 * store_roster.c: the queries behind roster import and export: adding an
 * imported member unless the person already has a live membership, and
 * walking a subtree's members in id order, a page at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

int store_roster_member_add(struct db *db, struct member_rec *m, int64_t district_id,
                            bool *added)
{
    const struct person_rec *p = &m->p;
    *added = false;
    int64_t now = ub_now();
    if (!m->joined_at)
        m->joined_at = now;
    int year = 0;
    if (!*m->joined_on || strlen(m->joined_on) != 10) {
        time_t t = (time_t)m->joined_at;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(m->joined_on, sizeof m->joined_on, "%Y-%m-%d", &tm);
    }
    year = atoi(m->joined_on);
    /* The partial unique index members_person (one live membership per
     * ID digest) is the conflict target: a person who is already a live
     * member gives no row back, and nothing is written. */
    struct db_stmt *st = db_run(db,
        "INSERT INTO members (org_id, status, channel, source_org_id, source_event_id, "
        "application_id, name, id_hash, id_enc, id_mask, phone_hash, phone_enc, phone_mask, "
        "gender, birth_date, employer_name, employer_uscc, employer_id, category, migrant, "
        "access_digest, joined_at, joined_on, district_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18, $19, $20, NULL, $21, $22, $23, $24, $24) "
        "ON CONFLICT (id_hash) WHERE status IN ('active', 'transferring') DO NOTHING "
        "RETURNING id",
        "issIIIssbssbsssssIsiisii",
        m->org_id, *m->status ? m->status : "active", m->channel, m->source_org_id,
        m->source_event_id, m->application_id, p->name, p->id_hash, p->id_enc,
        p->id_enc_len, p->id_mask, p->phone_hash, p->phone_enc, p->phone_enc_len,
        p->phone_mask, p->gender, p->birth_date, p->employer_name,
        *p->employer_uscc ? p->employer_uscc : NULL, p->employer_id, p->category,
        (int64_t)p->migrant, m->joined_at, m->joined_on, district_id, now);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        m->id = db_i64(st, 0);
        rc = DB_OK;
        *added = true;
    } else if (rc == DB_DONE) {
        rc = DB_OK;                     /* already a member */
    }
    db_done(st);
    if (rc != DB_OK || !*added)
        return rc;
    /* The member number as store_member_insert makes it: the joining
     * year and the row id. */
    snprintf(m->member_no, sizeof m->member_no, "%04d%08lld", year, (long long)m->id);
    m->created_at = m->updated_at = now;
    return db_exec_stmt(db, "UPDATE members SET member_no = $1 WHERE id = $2", "si",
                        m->member_no, m->id);
}

/* The columns store_roster_members reads, in read_row's order. */
#define ROSTER_SELECT                                                          \
    "SELECT x.id, x.member_no, x.org_id, o.code, o.name, x.status, x.channel, " \
    "x.name, x.id_mask, x.id_enc, x.phone_mask, x.phone_enc, x.gender, "        \
    "x.birth_date, x.employer_name, x.category, x.migrant, x.joined_at, "       \
    "x.joined_on FROM members x JOIN orgs o ON o.id = x.org_id "

static void read_blob(struct db_stmt *st, int col, unsigned char *dst, size_t cap,
                      size_t *len)
{
    size_t n;
    const void *p = db_blob(st, col, &n);
    if (!p || n > cap)
        n = 0;
    if (n)
        memcpy(dst, p, n);
    *len = n;
}

static void read_row(struct db_stmt *st, struct member_rec *m)
{
    m->id = db_i64(st, 0);
    store_col(st, 1, m->member_no, sizeof m->member_no);
    m->org_id = db_i64(st, 2);
    store_col(st, 3, m->org_code, sizeof m->org_code);
    store_col(st, 4, m->org_name, sizeof m->org_name);
    store_col(st, 5, m->status, sizeof m->status);
    store_col(st, 6, m->channel, sizeof m->channel);
    store_col(st, 7, m->p.name, sizeof m->p.name);
    store_col(st, 8, m->p.id_mask, sizeof m->p.id_mask);
    read_blob(st, 9, m->p.id_enc, sizeof m->p.id_enc, &m->p.id_enc_len);
    store_col(st, 10, m->p.phone_mask, sizeof m->p.phone_mask);
    read_blob(st, 11, m->p.phone_enc, sizeof m->p.phone_enc, &m->p.phone_enc_len);
    store_col(st, 12, m->p.gender, sizeof m->p.gender);
    store_col(st, 13, m->p.birth_date, sizeof m->p.birth_date);
    store_col(st, 14, m->p.employer_name, sizeof m->p.employer_name);
    store_col(st, 15, m->p.category, sizeof m->p.category);
    m->p.migrant = db_i64(st, 16) != 0;
    m->joined_at = db_i64(st, 17);
    store_col(st, 18, m->joined_on, sizeof m->joined_on);
}

int store_roster_members(struct db *db, const char *path, int64_t district, int64_t after,
                         int limit, member_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (district)
        st = db_run(db, ROSTER_SELECT
                    "WHERE x.district_id = $5 AND o.path >= $1 AND o.path < $2 "
                    "AND x.id > $3 ORDER BY x.id LIMIT $4",
                    "ssiii", path, hi, after, (int64_t)limit, district);
    else
        st = db_run(db, ROSTER_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 AND x.id > $3 "
                    "ORDER BY x.id LIMIT $4",
                    "ssii", path, hi, after, (int64_t)limit);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct member_rec *m = xcalloc(1, sizeof *m);
    while ((rc = db_step(st)) == DB_ROW) {
        read_row(st, m);
        if ((stop = cb(ud, m)) != 0)
            break;
    }
    free(m);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

/* EXPERIMENT (temporary) */
int store_roster_bulk_exp(struct db *db);
int store_roster_bulk_exp(struct db *db)
{
    const char *p = getenv("UB_EXP_PRAGMA");
    if (p && strcmp(db_backend(db), "sqlite") == 0)
        return db_exec_script(db, p);
    return 0;
}
