/*
 * founding.h: founding a union (建会), the guided pipeline from first
 * contact to the registration of the new union.
 *
 * A case follows one employer, guided by a federation (usually the town
 * where it sits) and a staff member in charge.  Steps come in the order of
 * CONTRACT.md, each with its date, its facts and notes:
 *
 *   contacted → requested → prep_group_approved {prep_group_size 3..7}
 *   → recruiting {members} (may be repeated as members join)
 *   → reps_elected {representatives} (only with 100 members or more)
 *   → congress_held {congress_type, attendance}
 *   → committee_elected {committee_size, chair_name}
 *   → election_approved {document_no, term_years 3|5}
 *   → registered {union_uscc}
 *
 * plus `abandoned` at any point before the union exists (the history
 * stays).  Skipping ahead, going back or a missing or wrong fact is a 422
 * that changes nothing.  At election_approved the new grassroots union is
 * created under the guiding org (with its own join QR), and the employer
 * is marked unionised; that date is the founding date reports count.
 */
#ifndef UB_FOUNDING_H
#define UB_FOUNDING_H

#include "domain/actor.h"
#include "store/store_founding.h"

#define FOUNDING_IDLE_DAYS 30           /* default: a case with no step for this long */
#define FOUNDING_PREP_MONTHS 6          /* a preparatory group should finish in this */
#define FOUNDING_COMMITTEE_FROM 25      /* members from which a committee is due */
#define FOUNDING_LIST_MAX 1000

/* Opening a case. */
struct founding_open {
    int64_t employer_id;
    const char *guide_org;              /* code; NULL: the employer's covering org */
    const char *staff;                  /* login of the staff in charge; NULL: the actor */
    int64_t event_id;                   /* the enterprise meeting it came from, 0 */
};

/* Opens a case for an employer the actor may see, guided by an org the
 * actor may write in.  409 already_unionised, case_open.  Audited. */
int founding_open(struct db *db, const struct actor *a, const struct founding_open *in,
                  struct founding_rec *out, struct ub_err *err);

/* A step and its facts (-1 / NULL: not given). */
struct founding_step_input {
    const char *step, *date, *notes;
    int64_t prep_group_size, members, representatives, attendance, committee_size,
        term_years;
    const char *congress_type, *chair_name, *document_no, *union_uscc;
    const char *union_code, *union_name;    /* election_approved: the new org */
};
void founding_step_input_init(struct founding_step_input *in);

/* Records the next step of case id.  Audited. */
int founding_step(struct db *db, const struct actor *a, int64_t id,
                  const struct founding_step_input *in, struct founding_rec *out,
                  struct ub_err *err);

int founding_get(struct db *db, const struct actor *a, int64_t id, struct founding_rec *out,
                 struct ub_err *err);
int founding_steps(struct db *db, int64_t id, founding_step_cb cb, void *ud,
                   struct ub_err *err);

/* Cases guided inside org's subtree (the actor's when NULL). */
int founding_list(struct db *db, const struct actor *a, const char *org,
                  struct founding_filter *f, founding_cb cb, void *ud, struct ub_err *err);

/* What needs attention in org's subtree: kind "idle" (no step for
 * idle_days), "prep_overdue" (a preparatory group approved more than six
 * months ago and no union yet), "committee_due" (25 members or more and no
 * committee elected).  days: how long it has been so. */
typedef int (*founding_alert_cb)(void *ud, const char *kind, int64_t days,
                                 const struct founding_rec *f);
int founding_alerts(struct db *db, const struct actor *a, const char *org, int idle_days,
                    const char *today, founding_alert_cb cb, void *ud, struct ub_err *err);

/* Unions founded in org's subtree with election approved within [from,
 * to], and how many of those had 100 staff or more. */
int founding_counts(struct db *db, const struct actor *a, const char *org, const char *from,
                    const char *to, int64_t *founded, int64_t *big, struct ub_err *err);

/* The steps in order (NULL-terminated), a step's place in it (-1 if
 * none), its Chinese name, and the step a case may take next (NULL when
 * closed). */
extern const char *const founding_step_names[];
int founding_step_index(const char *step);
const char *founding_step_label(const char *step);
const char *founding_next_step(const struct founding_rec *f);

/* The committee sizes allowed for a member count: [lo, hi], odd only. */
void founding_committee_range(int64_t members, int *lo, int *hi);

const char *founding_congress_label(const char *type);

#endif
