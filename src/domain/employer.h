/*
 * employer.h: employers, the workplaces unions are founded in.
 *
 * An employer is covered by one org (usually the town federation where it
 * sits) and carries its unified social credit code (GB 32100).  A code
 * failing the check digit is refused unless staff give a reason to
 * override it (some early real codes fail); the override is audited.
 */
#ifndef UB_EMPLOYER_H
#define UB_EMPLOYER_H

#include "domain/actor.h"

#define EMPLOYER_HEADCOUNT_MAX 10000000

struct employer_input {
    const char *name;
    const char *uscc;           /* NULL or "": unknown */
    const char *uscc_override;  /* reason to accept a failing check digit */
    int64_t headcount;          /* -1: not given */
    const char *org;            /* covering org's code */
    const char *address;
    const char *legal_rep;
};

/* Creates an employer (manage permission on the org).  Audited. */
int employer_create(struct db *db, const struct actor *a, const struct employer_input *in,
                    struct employer_rec *out, struct ub_err *err);

/* Changes the given (non-NULL, headcount >= 0) fields.  Audited. */
int employer_update(struct db *db, const struct actor *a, int64_t id,
                    const struct employer_input *in, struct employer_rec *out,
                    struct ub_err *err);

/* Reads one employer the actor may see (404 / 403). */
int employer_get(struct db *db, const struct actor *a, int64_t id,
                 struct employer_rec *out, struct ub_err *err);

/* Lists employers covered by org's subtree (the actor's top when org is
 * NULL), ids above after, at most limit (1..1000). */
int employer_list(struct db *db, const struct actor *a, const char *org, const char *q,
                  int64_t after, int limit, employer_cb cb, void *ud,
                  struct ub_err *err);

/* The union status's label in Chinese. */
const char *employer_status_label(const char *status);

#endif
