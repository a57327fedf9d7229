/*
 * employer.c: validating and recording employers.
 */
#include "domain/employer.h"

#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/org.h"
#include "domain/uscc.h"

const char *employer_status_label(const char *status)
{
    if (strcmp(status, "unionised") == 0)
        return "已建会";
    if (strcmp(status, "founding") == 0)
        return "建会中";
    return "未建会";
}

/* Validates the USCC fields of in into e (uscc, uscc_override). */
static int check_uscc(const struct employer_input *in, struct employer_rec *e,
                      struct ub_err *err)
{
    const char *reason = in->uscc_override ? in->uscc_override : "";
    e->uscc[0] = e->uscc_override[0] = 0;
    if (!in->uscc || !*in->uscc)
        return 0;
    enum uscc_error ue = uscc_parse(in->uscc, e->uscc);
    if (ue == USCC_CHECKSUM && *reason) {
        if (name_check("uscc_override", reason, 80, err))
            return -1;
        ub_strlcpy(e->uscc_override, reason, sizeof e->uscc_override);
        return 0;
    }
    if (ue != USCC_OK)
        return ub_fail_field(err, UB_EINVALID, uscc_error_code(ue), "uscc", "%s",
                             uscc_error_message(ue));
    return 0;
}

static int check_fields(const struct employer_input *in, struct employer_rec *e,
                        bool partial, struct ub_err *err)
{
    if (!partial || in->name) {
        if (name_check("name", in->name, 100, err))
            return -1;
        ub_strlcpy(e->name, in->name, sizeof e->name);
    }
    if (!partial || in->uscc) {
        if (check_uscc(in, e, err))
            return -1;
    }
    if (in->headcount > EMPLOYER_HEADCOUNT_MAX || in->headcount < -1)
        return ub_fail_field(err, UB_EINVALID, "invalid_headcount", "headcount",
                             "职工人数应在0到%d之间", EMPLOYER_HEADCOUNT_MAX);
    if (in->headcount >= 0)
        e->headcount = in->headcount;
    if (in->address) {
        if (*in->address && name_check("address", in->address, 120, err))
            return -1;
        ub_strlcpy(e->address, in->address, sizeof e->address);
    }
    if (in->legal_rep) {
        if (*in->legal_rep && name_check("legal_rep", in->legal_rep, 20, err))
            return -1;
        ub_strlcpy(e->legal_rep, in->legal_rep, sizeof e->legal_rep);
    }
    return 0;
}

static int uscc_taken(struct db *db, const char *uscc, int64_t self, struct ub_err *err)
{
    struct employer_rec other;
    if (!*uscc)
        return 0;
    int rc = store_employer_by_uscc(db, uscc, &other);
    if (rc == DB_OK && other.id != self)
        return ub_fail_field(err, UB_ECONFLICT, "uscc_taken", "uscc",
                             "统一社会信用代码 %s 已登记为“%s”", uscc, other.name);
    if (rc != DB_OK && rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);
    return 0;
}

static json_t *employer_detail(const struct employer_rec *e)
{
    json_t *d = json_pack("{s:s, s:s, s:I, s:s}", "name", e->name, "uscc", e->uscc,
                          "headcount", (json_int_t)e->headcount, "org", e->org_code);
    if (e->uscc_override[0])
        json_object_set_new(d, "uscc_override", json_string(e->uscc_override));
    return d;
}

int employer_create(struct db *db, const struct actor *a, const struct employer_input *in,
                    struct employer_rec *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    if (check_fields(in, out, false, err))
        return -1;
    if (!in->org || !*in->org)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "org", "请选择所属组织");
    struct org_rec org;
    int rc = store_org_by_code(db, in->org, &org);
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_EINVALID, "org_not_found", "org",
                             "组织 %s 不存在", in->org);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_MANAGE, org.path, err))
        return -1;
    out->org_id = org.id;
    ub_strlcpy(out->org_code, org.code, sizeof out->org_code);
    ub_strlcpy(out->org_path, org.path, sizeof out->org_path);
    ub_strlcpy(out->union_status, "none", sizeof out->union_status);

    if (tx_begin(db, err))
        return -1;
    if (uscc_taken(db, out->uscc, 0, err)) {
        db_rollback(db);
        return -1;
    }
    rc = store_employer_insert(db, out);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        return ub_fail_field(err, UB_ECONFLICT, "uscc_taken", "uscc",
                             "统一社会信用代码 %s 已登记", out->uscc);
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)out->id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "employer.create", "employer", id, org.id,
                       employer_detail(out));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int employer_get(struct db *db, const struct actor *a, int64_t id,
                 struct employer_rec *out, struct ub_err *err)
{
    int rc = store_employer_by_id(db, id, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "employer_not_found", "用人单位不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->org_path, err);
}

int employer_update(struct db *db, const struct actor *a, int64_t id,
                    const struct employer_input *in, struct employer_rec *out,
                    struct ub_err *err)
{
    if (employer_get(db, a, id, out, err))
        return -1;
    if (actor_may(a, PERM_MANAGE, out->org_path, err))
        return -1;
    struct employer_rec before = *out;
    if (check_fields(in, out, true, err))
        return -1;
    if (tx_begin(db, err))
        return -1;
    if (uscc_taken(db, out->uscc, out->id, err)) {
        db_rollback(db);
        return -1;
    }
    int rc = store_employer_update(db, out);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        return ub_fail_field(err, UB_ECONFLICT, "uscc_taken", "uscc",
                             "统一社会信用代码 %s 已登记", out->uscc);
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)out->id);
    if (rc == DB_OK) {
        json_t *d = json_pack("{s:o, s:o}", "before", employer_detail(&before),
                              "after", employer_detail(out));
        rc = audit_log(db, a, "employer.update", "employer", sid, out->org_id, d);
    }
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    /* Read it back: updated_at and anything the database derived. */
    rc = store_employer_by_id(db, out->id, out);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int employer_list(struct db *db, const struct actor *a, const char *org, const char *q,
                  int64_t after, int limit, employer_cb cb, void *ud,
                  struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    if (limit < 1 || limit > 1000)
        return ub_fail_field(err, UB_EBAD, "invalid_limit", "limit", "limit 应在1到1000之间");
    int rc = store_employer_list(db, t.path, t.district, q, after, limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}
