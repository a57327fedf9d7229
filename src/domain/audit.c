/*
 * audit.c: audit entries and the transaction helpers around them.
 */
#include "domain/audit.h"

#include <stdlib.h>
#include <string.h>

#include "domain/org.h"

void audit_entry(struct audit_rec *r, const struct actor *a, const char *action,
                 const char *object_type, const char *object_id, int64_t org_id,
                 json_t *detail)
{
    memset(r, 0, sizeof *r);
    r->at = ub_now();
    r->user_id = a->user_id;
    r->org_id = org_id;
    r->detail = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    ub_strlcpy(r->login, a->login, sizeof r->login);
    ub_strlcpy(r->addr, a->addr, sizeof r->addr);
    ub_strlcpy(r->action, action, sizeof r->action);
    ub_strlcpy(r->object_type, object_type, sizeof r->object_type);
    ub_strlcpy(r->object_id, object_id, sizeof r->object_id);
}

int audit_log(struct db *db, const struct actor *a, const char *action,
              const char *object_type, const char *object_id, int64_t org_id,
              json_t *detail)
{
    struct audit_rec r;
    audit_entry(&r, a, action, object_type, object_id, org_id, detail);
    int rc = store_audit_insert(db, &r);
    free((char *)r.detail);
    return rc;
}

int tx_begin(struct db *db, struct ub_err *err)
{
    int rc = db_begin(db);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int tx_commit(struct db *db, struct ub_err *err)
{
    int rc = db_commit(db);
    if (rc == DB_OK)
        return 0;
    db_rollback(db);
    return ub_fail_store(err, rc);
}

int tx_fail(struct db *db, int db_rc, struct ub_err *err)
{
    db_rollback(db);
    return ub_fail_store(err, db_rc);
}

int audit_list(struct db *db, const struct actor *a, const char *org, int64_t before,
               int limit, audit_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err) || actor_may(a, PERM_MANAGE, t.path, err))
        return -1;
    /* The whole tree also has the entries that concern no org (accounts,
     * failed sign-ins): "" asks the store for everything. */
    int rc = store_audit_list(db, strcmp(t.path, "/") == 0 ? "" : t.path, t.district, before,
                              limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}
