/*
 * actor.c: roles and subtree scoping.
 */
#include "domain/actor.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {"admin", "federation", "union", "viewer"};
static const char *const role_labels[] = {"系统管理员", "总工会工作人员", "基层工会工作人员", "只读查看"};

enum role role_parse(const char *s)
{
    for (int i = 0; i < ROLE_NONE; i++)
        if (s && strcmp(s, role_names[i]) == 0)
            return (enum role)i;
    return ROLE_NONE;
}

const char *role_name(enum role r)
{
    return r < ROLE_NONE ? role_names[r] : "none";
}

const char *role_label(enum role r)
{
    return r < ROLE_NONE ? role_labels[r] : "";
}

void actor_cli(struct actor *a)
{
    memset(a, 0, sizeof *a);
    ub_strlcpy(a->login, "cli", sizeof a->login);
    a->role = ROLE_ADMIN;
    ub_strlcpy(a->addr, "cli", sizeof a->addr);
}

void actor_public(struct actor *a, const char *kind, const char *who, const char *addr)
{
    memset(a, 0, sizeof *a);
    snprintf(a->login, sizeof a->login, "%s:%s", kind, who);
    a->role = ROLE_NONE;
    ub_strlcpy(a->addr, addr ? addr : "", sizeof a->addr);
}

bool actor_covers(const struct actor *a, const char *path)
{
    size_t n = strlen(a->org_path);
    return n == 0 || strncmp(a->org_path, path, n) == 0;
}

int actor_may(const struct actor *a, enum perm p, const char *path, struct ub_err *err)
{
    if (!actor_covers(a, path))
        return ub_fail(err, UB_EFORBID, "forbidden", "超出您所在组织的管理范围");
    switch (p) {
    case PERM_READ:
        return 0;
    case PERM_WRITE:
        if (a->role == ROLE_VIEWER || a->role == ROLE_NONE)
            break;
        return 0;
    case PERM_MANAGE:
        if (a->role == ROLE_ADMIN || a->role == ROLE_FEDERATION)
            return 0;
        break;
    }
    return ub_fail(err, UB_EFORBID, "forbidden", "您的角色无权执行此操作");
}
