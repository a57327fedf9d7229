/*
 * store_founding.c: queries on founding cases and their steps.
 */
#include "store/store_founding.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_util.h"

#define FOUNDING_SELECT                                                        \
    "SELECT f.id, f.employer_id, e.name, COALESCE(e.legal_rep, ''), e.headcount, " \
    "f.guide_org_id, g.code, g.name, g.path, COALESCE(f.staff_user_id, 0), "   \
    "COALESCE(u.login, ''), COALESCE(f.event_id, 0), f.step, f.status, "       \
    "COALESCE(f.step_on, ''), COALESCE(f.prep_approved_on, ''), "              \
    "COALESCE(f.prep_group_size, 0), COALESCE(f.members, 0), "                 \
    "COALESCE(f.representatives, 0), COALESCE(f.congress_type, ''), "          \
    "COALESCE(f.attendance, 0), COALESCE(f.committee_size, 0), "               \
    "COALESCE(f.chair_name, ''), COALESCE(f.document_no, ''), "                \
    "COALESCE(f.term_years, 0), COALESCE(f.founded_on, ''), "                  \
    "COALESCE(f.founded_headcount, 0), COALESCE(f.union_org_id, 0), "          \
    "COALESCE(n.code, ''), COALESCE(f.union_uscc, ''), f.district_id, "        \
    "COALESCE(f.created_by, 0), f.created_at, f.updated_at "                   \
    "FROM founding_cases f JOIN employers e ON e.id = f.employer_id "          \
    "JOIN orgs g ON g.id = f.guide_org_id "                                    \
    "LEFT JOIN users u ON u.id = f.staff_user_id "                             \
    "LEFT JOIN orgs n ON n.id = f.union_org_id "

static void read_founding(struct db_stmt *st, struct founding_rec *f)
{
    int c = 0;
    f->id = db_i64(st, c++);
    f->employer_id = db_i64(st, c++);
    store_col(st, c++, f->employer_name, sizeof f->employer_name);
    store_col(st, c++, f->employer_legal_rep, sizeof f->employer_legal_rep);
    f->employer_headcount = db_i64(st, c++);
    f->guide_org_id = db_i64(st, c++);
    store_col(st, c++, f->guide_code, sizeof f->guide_code);
    store_col(st, c++, f->guide_name, sizeof f->guide_name);
    store_col(st, c++, f->guide_path, sizeof f->guide_path);
    f->staff_user_id = db_i64(st, c++);
    store_col(st, c++, f->staff_login, sizeof f->staff_login);
    f->event_id = db_i64(st, c++);
    store_col(st, c++, f->step, sizeof f->step);
    store_col(st, c++, f->status, sizeof f->status);
    store_col(st, c++, f->step_on, sizeof f->step_on);
    store_col(st, c++, f->prep_approved_on, sizeof f->prep_approved_on);
    f->prep_group_size = db_i64(st, c++);
    f->members = db_i64(st, c++);
    f->representatives = db_i64(st, c++);
    store_col(st, c++, f->congress_type, sizeof f->congress_type);
    f->attendance = db_i64(st, c++);
    f->committee_size = db_i64(st, c++);
    store_col(st, c++, f->chair_name, sizeof f->chair_name);
    store_col(st, c++, f->document_no, sizeof f->document_no);
    f->term_years = db_i64(st, c++);
    store_col(st, c++, f->founded_on, sizeof f->founded_on);
    f->founded_headcount = db_i64(st, c++);
    f->union_org_id = db_i64(st, c++);
    store_col(st, c++, f->union_code, sizeof f->union_code);
    store_col(st, c++, f->union_uscc, sizeof f->union_uscc);
    f->district_id = db_i64(st, c++);
    f->created_by = db_i64(st, c++);
    f->created_at = db_i64(st, c++);
    f->updated_at = db_i64(st, c++);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

int store_founding_insert(struct db *db, struct founding_rec *f)
{
    int64_t now = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO founding_cases (employer_id, guide_org_id, staff_user_id, event_id, "
        "district_id, created_by, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, (SELECT district_id FROM orgs WHERE id = $2), $5, $6, $6) "
        "RETURNING id",
        "iiIIIi", f->employer_id, f->guide_org_id, f->staff_user_id, f->event_id,
        f->created_by, now);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        f->id = db_i64(st, 0);
    db_done(st);
    return rc;
}

int store_founding_by_id(struct db *db, int64_t id, struct founding_rec *out)
{
    struct db_stmt *st = db_run(db, FOUNDING_SELECT "WHERE f.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_founding(st, out);
    db_done(st);
    return rc;
}

int store_founding_update(struct db *db, const struct founding_rec *f)
{
    return db_exec_stmt(db,
        "UPDATE founding_cases SET step = $2, status = $3, step_on = $4, "
        "prep_approved_on = $5, prep_group_size = $6, members = $7, representatives = $8, "
        "congress_type = $9, attendance = $10, committee_size = $11, chair_name = $12, "
        "document_no = $13, term_years = $14, founded_on = $15, founded_headcount = $16, "
        "union_org_id = $17, union_uscc = $18, updated_at = $19 WHERE id = $1",
        "issssIIIsIIssIsIIsi",
        f->id, f->step, f->status, or_null(f->step_on), or_null(f->prep_approved_on),
        f->prep_group_size, f->members, f->representatives, or_null(f->congress_type),
        f->attendance, f->committee_size, or_null(f->chair_name), or_null(f->document_no),
        f->term_years, or_null(f->founded_on), f->founded_headcount, f->union_org_id,
        or_null(f->union_uscc), ub_now());
}

int store_founding_step_insert(struct db *db, struct founding_step_rec *s)
{
    s->created_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO founding_steps (case_id, step, step_on, facts, notes, user_id, "
        "district_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
        "(SELECT district_id FROM founding_cases WHERE id = $1), $7) RETURNING id",
        "issssIi", s->case_id, s->step, s->step_on, s->facts, or_null(s->notes), s->user_id,
        s->created_at);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        s->id = db_i64(st, 0);
    db_done(st);
    return rc;
}

int store_founding_steps(struct db *db, int64_t case_id, founding_step_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db,
        "SELECT s.id, s.case_id, s.step, s.step_on, s.facts, COALESCE(s.notes, ''), "
        "COALESCE(s.user_id, 0), COALESCE(u.login, ''), s.created_at "
        "FROM founding_steps s LEFT JOIN users u ON u.id = s.user_id "
        "WHERE s.case_id = $1 ORDER BY s.id", "i", case_id);
    int rc;
    struct founding_step_rec *s = xmalloc(sizeof *s);
    while ((rc = db_step(st)) == DB_ROW) {
        s->id = db_i64(st, 0);
        s->case_id = db_i64(st, 1);
        store_col(st, 2, s->step, sizeof s->step);
        store_col(st, 3, s->step_on, sizeof s->step_on);
        store_col(st, 4, s->facts, sizeof s->facts);
        store_col(st, 5, s->notes, sizeof s->notes);
        s->user_id = db_i64(st, 6);
        store_col(st, 7, s->login, sizeof s->login);
        s->created_at = db_i64(st, 8);
        int stop = cb(ud, s);
        if (stop) {
            rc = stop;
            break;
        }
    }
    db_done(st);
    free(s);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_founding_list(struct db *db, const struct founding_filter *f, founding_cb cb,
                        void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(f->path, hi, sizeof hi);
    struct db_stmt *st = db_run(db, FOUNDING_SELECT
        "WHERE g.path >= $1 AND g.path < $2 AND (f.district_id = $3 OR $3 = 0) "
        "AND (f.status = $4 OR $4 = '') "
        "AND (COALESCE(f.step_on, '') >= $5 OR $5 = '') "
        "AND (COALESCE(f.step_on, '9999') <= $6 OR $6 = '') "
        "AND (f.employer_id = $7 OR $7 = 0) AND (f.id < $8 OR $8 = 0) "
        "AND (f.founded_on >= $10 OR $10 = '') AND (f.founded_on <= $11 OR $11 = '') "
        "ORDER BY f.id DESC LIMIT $9",
        "ssisssiiiss",
        f->path, hi, f->district, f->status ? f->status : "", f->from ? f->from : "",
        f->to ? f->to : "", f->employer_id, f->before, (int64_t)f->limit,
        f->founded_from ? f->founded_from : "", f->founded_to ? f->founded_to : "");
    int rc;
    struct founding_rec *c = xmalloc(sizeof *c);
    while ((rc = db_step(st)) == DB_ROW) {
        read_founding(st, c);
        int stop = cb(ud, c);
        if (stop) {
            rc = stop;
            break;
        }
    }
    db_done(st);
    free(c);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_founding_counts(struct db *db, const char *path, int64_t district, const char *from,
                          const char *to, int64_t *founded, int64_t *big)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st = db_run(db,
        "SELECT count(*), COALESCE(sum(CASE WHEN f.founded_headcount >= 100 THEN 1 ELSE 0 END), 0) "
        "FROM founding_cases f JOIN orgs g ON g.id = f.guide_org_id "
        "WHERE f.founded_on IS NOT NULL AND f.founded_on >= $3 AND f.founded_on <= $4 "
        "AND g.path >= $1 AND g.path < $2 AND (f.district_id = $5 OR $5 = 0)",
        "ssssi", path, hi, from, to, district);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        *founded = db_i64(st, 0);
        *big = db_i64(st, 1);
    }
    db_done(st);
    return rc;
}
