/*
 * org.c: creating, renaming and reading organisations, with scoping.
 */
#include "domain/org.h"

#include <string.h>

#include "domain/audit.h"
#include "domain/member.h"

static const struct {
    const char *level;
    int rank;
    const char *label;
} levels[] = {
    {"city", 0, "市总工会"},
    {"district", 1, "区总工会"},
    {"town", 2, "镇/街道/开发区总工会"},
    {"union", 3, "基层工会"},
    {"joint", 3, "联合工会"},
};

int org_level_rank(const char *level)
{
    for (size_t i = 0; level && i < UB_ARRAY_LEN(levels); i++)
        if (strcmp(level, levels[i].level) == 0)
            return levels[i].rank;
    return -1;
}

const char *org_level_label(const char *level)
{
    for (size_t i = 0; level && i < UB_ARRAY_LEN(levels); i++)
        if (strcmp(level, levels[i].level) == 0)
            return levels[i].label;
    return "";
}

bool org_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > ORG_CODE_MAX)
        return false;
    for (const char *p = code; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int name_check(const char *field, const char *name, size_t max, struct ub_err *err)
{
    if (!name || !*name)
        return ub_fail_field(err, UB_EINVALID, "missing_field", field, "请填写%s",
                             strcmp(field, "name") == 0 ? "名称" : field);
    if (!ub_utf8_text(name, false))
        return ub_fail_field(err, UB_EINVALID, "invalid_text", field,
                             "%s含有无效字符", field);
    size_t n = ub_utf8_len(name);
    if (n > max || strlen(name) > 4 * max)
        return ub_fail_field(err, UB_EINVALID, "too_long", field,
                             "%s不能超过%zu个字", field, max);
    /* Reject names that are nothing but spaces. */
    if (strspn(name, " \t") == strlen(name))
        return ub_fail_field(err, UB_EINVALID, "missing_field", field, "请填写%s", field);
    return 0;
}

int org_get(struct db *db, const struct actor *a, const char *code,
            struct org_rec *out, struct ub_err *err)
{
    if (!org_code_valid(code))
        return ub_fail(err, UB_ENOTFOUND, "org_not_found", "组织不存在");
    int rc = store_org_by_code(db, code, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "org_not_found", "组织 %s 不存在", code);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->path, err);
}

/* Validates in against the tree and the actor into out. */
static int org_prepare(struct db *db, const struct actor *a, const struct org_input *in,
                       struct org_rec *out, struct ub_err *err)
{
    if (!in->code || !*in->code)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "code", "请填写组织代码");
    if (!org_code_valid(in->code))
        return ub_fail_field(err, UB_EINVALID, "invalid_code", "code",
                             "组织代码应为1-32位字母、数字或 . _ -");
    if (name_check("name", in->name, 100, err))
        return -1;
    int rank = org_level_rank(in->level);
    if (rank < 0)
        return ub_fail_field(err, UB_EINVALID, "invalid_level", "level",
                             "组织层级应为 city、district、town、union 或 joint");
    memset(out, 0, sizeof *out);
    struct org_rec parent;
    if (in->parent && *in->parent) {
        int rc = store_org_by_code(db, in->parent, &parent);
        if (rc == DB_NOTFOUND)
            return ub_fail_field(err, UB_EINVALID, "parent_not_found", "parent",
                                 "上级组织 %s 不存在", in->parent);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        if (actor_may(a, PERM_MANAGE, parent.path, err))
            return -1;
        if (rank <= org_level_rank(parent.level))
            return ub_fail_field(err, UB_EINVALID, "invalid_level", "level",
                                 "%s不能设在%s之下", org_level_label(in->level),
                                 org_level_label(parent.level));
        out->parent_id = parent.id;
    } else if (a->role != ROLE_ADMIN || a->org_path[0]) {
        return ub_fail(err, UB_EFORBID, "forbidden", "只有系统管理员可以创建顶级组织");
    }
    ub_strlcpy(out->code, in->code, sizeof out->code);
    ub_strlcpy(out->name, in->name, sizeof out->name);
    ub_strlcpy(out->level, in->level, sizeof out->level);
    ub_strlcpy(out->parent_code, in->parent ? in->parent : "", sizeof out->parent_code);
    return 0;
}

/* Writes a prepared org, its join token and the audit entry, inside the
 * caller's transaction (which the caller rolls back on failure). */
static int org_write(struct db *db, const struct actor *a, struct org_rec *out,
                     struct ub_err *err)
{
    int rc = store_org_insert(db, out);
    if (rc == DB_CONFLICT)
        return ub_fail_field(err, UB_ECONFLICT, "org_code_taken", "code",
                             "组织代码 %s 已被使用", out->code);
    if (rc == DB_CONSTRAINT)
        return ub_fail(err, UB_EINVALID, "tree_too_deep", "组织层级过深");
    char token[JOIN_TOKEN_LEN + 1];
    if (rc == DB_OK)
        rc = join_token_create(db, out->id, 0, token);
    if (rc == DB_OK)
        rc = audit_log(db, a, "org.create", "org", out->code, out->id,
                       json_pack("{s:s, s:s, s:s}", "name", out->name, "level", out->level,
                                 "parent", out->parent_code));
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int org_create(struct db *db, const struct actor *a, const struct org_input *in,
               struct org_rec *out, struct ub_err *err)
{
    if (org_prepare(db, a, in, out, err) || tx_begin(db, err))
        return -1;
    if (org_write(db, a, out, err)) {
        db_rollback(db);
        return -1;
    }
    return tx_commit(db, err);
}

int org_create_in_tx(struct db *db, const struct actor *a, const struct org_input *in,
                     struct org_rec *out, struct ub_err *err)
{
    return org_prepare(db, a, in, out, err) || org_write(db, a, out, err) ? -1 : 0;
}

int org_rename(struct db *db, const struct actor *a, const char *code,
               const char *name, struct org_rec *out, struct ub_err *err)
{
    if (org_get(db, a, code, out, err))
        return -1;
    if (actor_may(a, PERM_MANAGE, out->path, err))
        return -1;
    if (name_check("name", name, 100, err))
        return -1;
    if (tx_begin(db, err))
        return -1;
    int64_t now = ub_now();
    int rc = store_org_rename(db, out->id, name, now);
    if (rc == DB_OK)
        rc = audit_log(db, a, "org.rename", "org", out->code, out->id,
                       json_pack("{s:s, s:s}", "from", out->name, "to", name));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    ub_strlcpy(out->name, name, sizeof out->name);
    out->updated_at = now;
    return 0;
}

int org_children(struct db *db, const struct actor *a, const char *parent,
                 const char *after, int limit, org_cb cb, void *ud, struct ub_err *err)
{
    struct org_rec p;
    int rc;
    if (limit < 1 || limit > 1000)
        return ub_fail_field(err, UB_EBAD, "bad_query", "limit", "limit 应在1到1000之间");
    if (parent && *parent) {
        if (org_get(db, a, parent, &p, err))
            return -1;
        rc = store_org_children(db, p.id, after, limit, cb, ud);
    } else if (!a->org_path[0]) {
        rc = store_org_children(db, 0, after, limit, cb, ud);
    } else if (after && *after) {
        rc = DB_OK;             /* the one-item list has no second page */
    } else {
        rc = store_org_by_id(db, a->org_id, &p);
        if (rc == DB_OK)
            rc = cb(ud, &p);
    }
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int org_subtree(struct db *db, const struct actor *a, const char *org, struct subtree *out,
                struct ub_err *err)
{
    if (org && *org) {
        struct org_rec o;
        if (org_get(db, a, org, &o, err))
            return -1;
        ub_strlcpy(out->path, o.path, sizeof out->path);
        out->district = o.district_id;
    } else {
        ub_strlcpy(out->path, *a->org_path ? a->org_path : "/", sizeof out->path);
        out->district = a->district_id;
    }
    return 0;
}

int org_search(struct db *db, const struct actor *a, const char *parent, const char *q,
               int limit, org_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, parent, &t, err))
        return -1;
    if (limit < 1 || limit > 500)
        return ub_fail_field(err, UB_EBAD, "bad_query", "limit", "limit 应在1到500之间");
    int rc = store_org_search(db, t.path, q, limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int org_ancestors(struct db *db, const struct org_rec *o, org_cb cb, void *ud,
                  struct ub_err *err)
{
    int rc = store_org_ancestors(db, o, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int org_set_auto_approve(struct db *db, const struct actor *a, const char *code, bool on,
                         struct org_rec *out, struct ub_err *err)
{
    if (org_get(db, a, code, out, err) || actor_may(a, PERM_MANAGE, out->path, err))
        return -1;
    if (tx_begin(db, err))
        return -1;
    int64_t now = ub_now();
    int rc = store_org_set_auto_approve(db, out->id, on, now);
    if (rc == DB_OK)
        rc = audit_log(db, a, "org.auto_approve", "org", out->code, out->id,
                       json_pack("{s:b}", "on", on));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    out->auto_approve = on;
    out->updated_at = now;
    return 0;
}
