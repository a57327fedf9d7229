/*
 * demo.h: the demo data `init --demo` loads: the Beijing city federation,
 * the Miyun district federation below it, Miyun's 21 town, street and zone
 * federations, a few grassroots and joint unions, sample employers, the
 * city's worker communication meetings of 27 May 2025 in every town, three
 * founding cases; the example reimbursement plan of DOMAIN.md for this year
 * and the last, and a new-year gift pack (新年礼包) for the district's
 * members.
 */
#ifndef UB_DEMO_H
#define UB_DEMO_H

#include "domain/actor.h"

/* Loads the demo tree through the domain (so every row is audited as the
 * actor's).  Returns 0 or -1 with err filled. */
int demo_load(struct db *db, const struct actor *a, struct ub_err *err);

/* What demo_half_year added. */
struct demo_counts {
    int events, members, founded;
};

#define DEMO_JOINS 747                  /* the seed's members joined through QR codes */

/*
 * Adds a realistic first half of 2025 to the demo tree (`unionbridge
 * demo-data`): worker meetings in every town through the half-year (90 with
 * those of 27 May) and four enterprise meetings, 747 workers joining through
 * their QR codes on those days, nine more unions founded (ten with the
 * seed's).  Needs the vault (personal data is sealed).  409 already_loaded
 * if it ran before.
 */
struct vault;
int demo_half_year(struct db *db, const struct vault *v, const struct actor *a,
                   struct demo_counts *out, struct ub_err *err);

#endif
