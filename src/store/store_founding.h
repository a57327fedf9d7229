/*
 * store_founding.h: the store's queries for founding cases (建会) and
 * their steps.  Same conventions as store.h: records by value, DB_ codes.
 */
#ifndef UB_STORE_FOUNDING_H
#define UB_STORE_FOUNDING_H

#include "store/store.h"

#define FOUNDING_TEXT_MAX 200           /* bytes of a short fact (50 characters) */
#define FOUNDING_NOTES_MAX 2000         /* 500 characters */
#define FOUNDING_FACTS_MAX 2000         /* a step's facts as JSON text */

struct founding_rec {
    int64_t id;
    int64_t employer_id;
    char employer_name[EMPLOYER_NAME_MAX + 1];
    char employer_legal_rep[81];
    int64_t employer_headcount;
    int64_t guide_org_id;
    char guide_code[ORG_CODE_MAX + 1];
    char guide_name[ORG_NAME_MAX + 1];
    char guide_path[ORG_PATH_MAX + 1];
    int64_t staff_user_id;              /* 0: nobody named */
    char staff_login[65];
    int64_t event_id;                   /* 0: not opened at a meeting */
    char step[24];                      /* the last step taken; "opened" */
    char status[12];                    /* open | founded | registered | abandoned */
    char step_on[11];                   /* the last step's date ("" before any) */
    char prep_approved_on[11];
    int64_t prep_group_size, members, representatives;   /* 0: not yet */
    char congress_type[24];
    int64_t attendance, committee_size;
    char chair_name[FOUNDING_TEXT_MAX + 1];
    char document_no[FOUNDING_TEXT_MAX + 1];
    int64_t term_years;
    char founded_on[11];
    int64_t founded_headcount;
    int64_t union_org_id;
    char union_code[ORG_CODE_MAX + 1];
    char union_uscc[19];
    int64_t district_id;
    int64_t created_by, created_at, updated_at;
};

struct founding_step_rec {
    int64_t id, case_id;
    char step[24];
    char step_on[11];
    char facts[FOUNDING_FACTS_MAX + 1];
    char notes[FOUNDING_NOTES_MAX + 1];
    int64_t user_id;
    char login[65];
    int64_t created_at;
};

typedef int (*founding_cb)(void *ud, const struct founding_rec *f);
typedef int (*founding_step_cb)(void *ud, const struct founding_step_rec *s);

/* Inserts a case (employer_id, guide_org_id, staff_user_id, event_id,
 * created_by); fills id.  DB_CONFLICT if the employer has a live case. */
int store_founding_insert(struct db *db, struct founding_rec *f);
int store_founding_by_id(struct db *db, int64_t id, struct founding_rec *out);
/* Writes the case's step, status, dates and facts. */
int store_founding_update(struct db *db, const struct founding_rec *f);
int store_founding_step_insert(struct db *db, struct founding_step_rec *s);
/* The steps of a case, oldest first. */
int store_founding_steps(struct db *db, int64_t case_id, founding_step_cb cb, void *ud);

/* Cases guided by orgs in the subtree of path (district: its key, 0 above
 * any), of status (NULL: any), whose last step or opening falls in
 * [from, to] (NULL: open), newest first, ids below before (0: from the
 * newest), at most limit. */
struct founding_filter {
    const char *path;
    int64_t district;
    const char *status;
    const char *from, *to;
    int64_t employer_id;                /* 0: any */
    const char *founded_from, *founded_to;  /* election approved within (NULL: any) */
    int64_t before;
    int limit;
};
int store_founding_list(struct db *db, const struct founding_filter *f, founding_cb cb,
                        void *ud);

/* Unions founded (election approved) in the subtree within [from, to]:
 * how many, and how many of those had 100 staff or more. */
int store_founding_counts(struct db *db, const char *path, int64_t district, const char *from,
                          const char *to, int64_t *founded, int64_t *big);

#endif
