/*
 * org.h: the organisation tree (city -> district -> town/street/zone ->
 * grassroots and joint unions).
 *
 * Levels have ranks: city 0, district 1, town 2, union and joint 3.  A
 * child's rank is greater than its parent's, so grassroots and joint unions
 * are leaves and a town may sit directly under a city only if there is no
 * district between.  Codes are 1-32 chars of A-Za-z0-9._- and unique.
 */
#ifndef UB_ORG_H
#define UB_ORG_H

#include "domain/actor.h"

struct org_input {
    const char *code;
    const char *name;
    const char *level;
    const char *parent;         /* parent's code; NULL or "" for a root */
};

/* Returns the level's rank, or -1 for an unknown level. */
int org_level_rank(const char *level);
/* The level's name in Chinese ("区总工会"…). */
const char *org_level_label(const char *level);
bool org_code_valid(const char *code);

/* Creates an org under its parent (admin or federation in the parent's
 * subtree; roots: a whole-tree admin only).  Audited.  Fills out. */
int org_create(struct db *db, const struct actor *a, const struct org_input *in,
               struct org_rec *out, struct ub_err *err);
/* The same inside the caller's transaction: on failure it fills err and
 * the caller rolls back. */
int org_create_in_tx(struct db *db, const struct actor *a, const struct org_input *in,
                     struct org_rec *out, struct ub_err *err);

/* Renames an org (manage permission on it).  Audited. */
int org_rename(struct db *db, const struct actor *a, const char *code,
               const char *name, struct org_rec *out, struct ub_err *err);

/* Turns auto-approval of join applications on or off (manage permission).
 * Audited. */
int org_set_auto_approve(struct db *db, const struct actor *a, const char *code, bool on,
                         struct org_rec *out, struct ub_err *err);

/* Reads one org the actor may see: 404 if none, 403 if outside. */
int org_get(struct db *db, const struct actor *a, const char *code,
            struct org_rec *out, struct ub_err *err);

/* Calls cb for the children of parent (code), or, when parent is NULL, for
 * the actor's top: the roots for a whole-tree account, else its own org.
 * Children come by code, those after `after` (NULL: from the first), at
 * most limit (1..1000). */
int org_children(struct db *db, const struct actor *a, const char *parent,
                 const char *after, int limit, org_cb cb, void *ud, struct ub_err *err);

/* Calls cb for each org from the root down to o (o was read with
 * org_get, so the actor may see it; the names above it are shown as its
 * place in the tree). */
int org_ancestors(struct db *db, const struct org_rec *o, org_cb cb, void *ud,
                  struct ub_err *err);

/* The subtree a listing covers: org's when given (the actor must be able
 * to read it), else the actor's own; "/" is the whole tree.  district is
 * its district key (0 above any district). */
struct subtree {
    char path[ORG_PATH_MAX + 1];
    int64_t district;
};
int org_subtree(struct db *db, const struct actor *a, const char *org, struct subtree *out,
                struct ub_err *err);

/* Calls cb for orgs in the subtree of parent (the actor's top when NULL)
 * whose name or code contains q, at most limit (1..500). */
int org_search(struct db *db, const struct actor *a, const char *parent, const char *q,
               int limit, org_cb cb, void *ud, struct ub_err *err);

/* Validates a display name (1..max code points of text); returns 0 or -1. */
int name_check(const char *field, const char *name, size_t max, struct ub_err *err);

#endif
