/*
 * err.c: filling struct ub_err.
 */
#include "domain/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"

static int vfail(struct ub_err *err, int kind, const char *code, const char *field,
                 const char *fmt, va_list ap)
{
    err->kind = kind;
    ub_strlcpy(err->code, code, sizeof err->code);
    ub_strlcpy(err->field, field ? field : "", sizeof err->field);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->retry_after = 0;
    return -1;
}

int ub_fail(struct ub_err *err, int kind, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, kind, code, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int ub_fail_field(struct ub_err *err, int kind, const char *code, const char *field,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, kind, code, field, fmt, ap);
    va_end(ap);
    return -1;
}

int ub_fail_store(struct ub_err *err, int rc)
{
    switch (rc) {
    case DB_NOTFOUND:
        return ub_fail(err, UB_ENOTFOUND, "not_found", "记录不存在");
    case DB_CONFLICT:
        return ub_fail(err, UB_ECONFLICT, "conflict", "记录已存在");
    case DB_CONSTRAINT:
        return ub_fail(err, UB_EINVALID, "constraint", "数据不满足约束条件");
    case DB_BUSY:
        return ub_fail(err, UB_ESTORE, "storage_busy", "数据库繁忙，请稍后重试");
    default:
        return ub_fail(err, UB_ESTORE, "storage_error", "数据库暂时不可用");
    }
}

bool ub_err_busy(const struct ub_err *err)
{
    return err->kind == UB_ESTORE && strcmp(err->code, "storage_busy") == 0;
}
