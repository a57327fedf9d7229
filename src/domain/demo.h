/*
 * demo.h: the demo data `init --demo` loads: the Beijing city federation,
 * the Miyun district federation below it, Miyun's 21 town, street and zone
 * federations, a few grassroots and joint unions and sample employers;
 * the example reimbursement plan of DOMAIN.md for this year and the last,
 * and a new-year gift pack (新年礼包) for the district's members.
 */
#ifndef UB_DEMO_H
#define UB_DEMO_H

#include "domain/actor.h"

/* Loads the demo tree through the domain (so every row is audited as the
 * actor's).  Returns 0 or -1 with err filled. */
int demo_load(struct db *db, const struct actor *a, struct ub_err *err);

#endif
