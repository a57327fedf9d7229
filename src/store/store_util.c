/*
 * store_util.c: small helpers for the query modules.
 */
#include "store/store_util.h"

#include <string.h>

#include "lib/util.h"

void store_col(struct db_stmt *st, int col, char *dst, size_t n)
{
    ub_strlcpy(dst, db_text(st, col), n);
}

void store_subtree_hi(const char *path, char *hi, size_t n)
{
    ub_strlcpy(hi, path, n);
    size_t len = strlen(hi);
    /* Paths end in '/'; '0' is the next byte after '/'. */
    if (len > 0 && hi[len - 1] == '/')
        hi[len - 1] = '0';
    else if (len + 1 < n) {
        hi[len] = '\x7f';
        hi[len + 1] = 0;
    }
}

void store_like_pattern(const char *s, char *out, size_t n)
{
    size_t j = 0;
    if (j + 1 < n)
        out[j++] = '%';
    for (; *s && j + 3 < n; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            out[j++] = '\\';
        out[j++] = *s;
    }
    if (j + 1 < n)
        out[j++] = '%';
    out[j] = 0;
}

int store_one(int rc)
{
    if (rc == DB_ROW)
        return DB_OK;
    if (rc == DB_DONE)
        return DB_NOTFOUND;
    return rc;
}

bool store_sqlite(struct db *db)
{
    return strcmp(db_backend(db), "sqlite") == 0;
}

void store_blob(struct db_stmt *st, int col, unsigned char *dst, size_t cap, size_t *len)
{
    size_t n;
    const void *p = db_blob(st, col, &n);
    if (!p || n > cap)
        n = 0;
    if (n)
        memcpy(dst, p, n);
    *len = n;
}
