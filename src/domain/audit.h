/*
 * audit.h: writing the append-only audit log.
 *
 * Every write the domain makes calls audit_log() inside the same
 * transaction, so a change and its record commit or vanish together.
 */
#ifndef UB_AUDIT_H
#define UB_AUDIT_H

#include <jansson.h>

#include "domain/actor.h"

/* Records that a did `action` ("org.create") on object type/id, concerning
 * org_id's subtree (0: none).  detail is a JSON object whose reference is
 * stolen (may be NULL).  Returns DB_OK or a negative DB_ code. */
int audit_log(struct db *db, const struct actor *a, const char *action,
              const char *object_type, const char *object_id, int64_t org_id,
              json_t *detail);

/* The same entry as audit_log's, filled in r for store_audit_insert_many:
 * r->detail is then JSON text the caller frees. */
void audit_entry(struct audit_rec *r, const struct actor *a, const char *action,
                 const char *object_type, const char *object_id, int64_t org_id,
                 json_t *detail);

/* Calls cb for audit entries concerning the subtree of org (the actor's
 * top when NULL), newest first, ids below before (0: from the newest), at
 * most limit.  Needs manage permission there. */
int audit_list(struct db *db, const struct actor *a, const char *org, int64_t before,
               int limit, audit_cb cb, void *ud, struct ub_err *err);

/* Helpers for the begin / write / audit / commit pattern: each returns 0,
 * or fills err (storage error) and returns -1 after rolling back. */
int tx_begin(struct db *db, struct ub_err *err);
int tx_commit(struct db *db, struct ub_err *err);
/* Rolls back and fills err from a DB_ code; returns -1. */
int tx_fail(struct db *db, int db_rc, struct ub_err *err);

#endif
