/*
 * report.c: the summary report, its monthly trend, XLSX and CSV.
 */
#include "domain/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/org.h"
#include "lib/csv.h"
#include "lib/jsonx.h"
#include "lib/xlsx.h"
#include "store/store_stats.h"

/* ---- Figures ---------------------------------------------------------------- */

static json_t *figures_new(void)
{
    return json_pack("{s:{s:i, s:i, s:i}, s:{s:i, s:i, s:i, s:i}, s:{s:i, s:i}, s:i, "
                     "s:{s:i, s:{}}, s:{s:i, s:{}}, s:i, s:{}}",
                     "activities", "total", 0, "worker_meetings", 0, "enterprise_meetings", 0,
                     "members_joined", "total", 0, "via_qr", 0, "onsite", 0, "import", 0,
                     "unions_founded", "total", 0, "headcount_100_plus", 0,
                     "cards_issued", 0,
                     "materials", "total", 0, "by_title",
                     "questions", "total", 0, "by_topic",
                     "people", 0,
                     "members_by_category");
}

/* Adds one summed counter (store_stats.h) to figures f. */
static void figures_add(json_t *f, const struct stat_rec *s)
{
    const char *k = s->kind, *l = s->label;
    if (strcmp(k, "activity") == 0) {
        json_t *a = json_object_get(f, "activities");
        json_bump(a, "total", s->n);
        if (strcmp(l, "worker_meeting") == 0)
            json_bump(a, "worker_meetings", s->n);
        else if (strcmp(l, "enterprise_meeting") == 0)
            json_bump(a, "enterprise_meetings", s->n);
    } else if (strcmp(k, "joined") == 0) {
        json_t *m = json_object_get(f, "members_joined");
        json_bump(m, "total", s->n);
        json_bump(m, strcmp(l, "qr") == 0 ? "via_qr" : l, s->n);
    } else if (strcmp(k, "joined_cat") == 0) {
        json_bump(json_object_get(f, "members_by_category"), l, s->n);
    } else if (strcmp(k, "founded") == 0) {
        json_bump(json_object_get(f, "unions_founded"), "total", s->n);
    } else if (strcmp(k, "founded_100") == 0) {
        json_bump(json_object_get(f, "unions_founded"), "headcount_100_plus", s->n);
    } else if (strcmp(k, "cards") == 0) {
        json_bump(f, "cards_issued", s->n);
    } else if (strcmp(k, "material") == 0) {
        json_t *m = json_object_get(f, "materials");
        json_bump(m, "total", s->n);
        json_bump(json_object_get(m, "by_title"), l, s->n);
    } else if (strcmp(k, "question") == 0) {
        json_t *q = json_object_get(f, "questions");
        json_bump(q, "total", s->n);
        json_bump(json_object_get(q, "by_topic"), l, s->n);
    } else if (strcmp(k, "people") == 0) {
        json_bump(f, "people", s->n);
    }
}

/* Drops the zero entries a counter that went back to 0 leaves behind. */
static void drop_zeros(json_t *map)
{
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(map, tmp, k, v)
        if (json_integer_value(v) == 0)
            json_object_del(map, k);
}

static void figures_tidy(json_t *f)
{
    drop_zeros(json_object_get(json_object_get(f, "materials"), "by_title"));
    drop_zeros(json_object_get(json_object_get(f, "questions"), "by_topic"));
    drop_zeros(json_object_get(f, "members_by_category"));
}

static int add_to_figures(void *ud, const struct stat_rec *s)
{
    figures_add(ud, s);
    return 0;
}

/* ---- The period and the org ---------------------------------------------------- */

static int check_period(const char *from, const char *to, struct ub_err *err)
{
    int64_t a, b;
    if (!from || !*from || !to || !*to)
        return ub_fail(err, UB_EBAD, "bad_query", "请给出 from 和 to（YYYY-MM-DD）");
    if (!ub_date_days(from, &a))
        return ub_fail_field(err, UB_EBAD, "invalid_date", "from", "from 应为 YYYY-MM-DD");
    if (!ub_date_days(to, &b))
        return ub_fail_field(err, UB_EBAD, "invalid_date", "to", "to 应为 YYYY-MM-DD");
    if (b < a)
        return ub_fail_field(err, UB_EBAD, "invalid_period", "to", "to 不能早于 from");
    if (b - a > REPORT_MAX_DAYS)
        return ub_fail_field(err, UB_EBAD, "invalid_period", "to", "报表期间不能超过十年");
    return 0;
}

/* The org reported on: the given one the actor may see, else the actor's
 * own (an account over the whole tree must name one). */
static int report_org(struct db *db, const struct actor *a, const char *code,
                      struct org_rec *o, struct ub_err *err)
{
    if (!code || !*code)
        code = a->org_code;
    if (!*code)
        return ub_fail_field(err, UB_EBAD, "bad_query", "org", "请给出 org（组织代码）");
    return org_get(db, a, code, o, err);
}

/* ---- The summary ------------------------------------------------------------------ */

struct children {
    json_t *rows;                       /* the by_org array */
    json_t *index;                      /* org id -> row */
};

static int add_child(void *ud, const struct org_rec *o)
{
    struct children *c = ud;
    json_t *row = json_pack("{s:s, s:s, s:s}", "org", o->code, "name", o->name, "level",
                            o->level);
    json_t *f = figures_new();
    json_object_update(row, f);
    json_decref(f);
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)o->id);
    json_object_set(c->index, key, row);
    json_array_append_new(c->rows, row);
    return 0;
}

static int add_child_stat(void *ud, const struct stat_rec *s)
{
    struct children *c = ud;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)s->org_id);
    json_t *row = json_object_get(c->index, key);
    if (row)
        figures_add(row, s);
    return 0;
}

json_t *report_summary(struct db *db, const struct actor *a, const char *org,
                       const char *from, const char *to, struct ub_err *err)
{
    struct org_rec o;
    if (check_period(from, to, err) || report_org(db, a, org, &o, err))
        return NULL;
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "org", o.code, "name", o.name,
                            "level", o.level, "from", from, "to", to);
    json_t *f = figures_new();
    struct children c = {json_array(), json_object()};
    int rc = store_stats_sum(db, o.id, from, to, add_to_figures, f);
    if (rc == DB_OK) {
        /* Every child, by code, even those with nothing to count. */
        char after[ORG_CODE_MAX + 1] = "";
        size_t before;
        do {
            before = json_array_size(c.rows);
            struct ub_err e2;
            if (org_children(db, a, o.code, *after ? after : NULL, 500, add_child, &c, &e2)) {
                *err = e2;
                rc = DB_ERROR;
                break;
            }
            size_t n = json_array_size(c.rows);
            if (n > before)
                ub_strlcpy(after, json_string_value(json_object_get(json_array_get(c.rows, n - 1),
                                                                    "org")), sizeof after);
        } while (json_array_size(c.rows) - before == 500);
    }
    if (rc == DB_OK)
        rc = store_stats_children(db, o.id, from, to, add_child_stat, &c);
    json_decref(c.index);
    if (rc != DB_OK) {
        if (rc != DB_ERROR || !*err->code)
            ub_fail_store(err, rc);
        json_decref(f);
        json_decref(c.rows);
        json_decref(out);
        return NULL;
    }
    figures_tidy(f);
    size_t i;
    json_t *row;
    json_array_foreach(c.rows, i, row)
        figures_tidy(row);
    json_object_update(out, f);
    json_decref(f);
    json_object_set_new(out, "by_org", c.rows);
    return out;
}

/* ---- Months ------------------------------------------------------------------------- */

static int add_month_stat(void *ud, const struct stat_rec *s)
{
    json_t *row = json_object_get(ud, s->key);
    if (row)
        figures_add(row, s);
    return 0;
}

json_t *report_months(struct db *db, const struct actor *a, const char *org,
                      const char *from, const char *to, struct ub_err *err)
{
    struct org_rec o;
    if (check_period(from, to, err) || report_org(db, a, org, &o, err))
        return NULL;
    json_t *months = json_array(), *index = json_object();
    int y = atoi(from), m = atoi(from + 5);
    int ye = atoi(to), me = atoi(to + 5);
    while (y < ye || (y == ye && m <= me)) {
        char key[16];
        snprintf(key, sizeof key, "%04d-%02d", y, m);
        json_t *row = json_pack("{s:s}", "month", key), *f = figures_new();
        json_object_update(row, f);
        json_decref(f);
        json_object_set(index, key, row);
        json_array_append_new(months, row);
        if (++m == 13) {
            m = 1;
            y++;
        }
    }
    int rc = store_stats_months(db, o.id, from, to, add_month_stat, index);
    json_decref(index);
    if (rc != DB_OK) {
        json_decref(months);
        ub_fail_store(err, rc);
        return NULL;
    }
    size_t i;
    json_t *row;
    json_array_foreach(months, i, row)
        figures_tidy(row);
    return months;
}

/* ---- Rebuilding ------------------------------------------------------------------------- */

static int add_total(void *ud, const struct stat_rec *s)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s", s->kind, s->label);
    json_bump(ud, key, s->n);
    return 0;
}

json_t *report_rebuild(struct db *db, const struct actor *a, struct ub_err *err)
{
    if (actor_may(a, PERM_MANAGE, "/", err))
        return NULL;
    json_t *before = json_object(), *after = json_object();
    if (tx_begin(db, err))
        goto fail;
    int rc = store_stats_totals(db, add_total, before);
    if (rc == DB_OK)
        rc = store_stats_rebuild(db);
    if (rc == DB_OK)
        rc = store_stats_totals(db, add_total, after);
    json_t *changed = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(before, k, v)
        if (json_integer_value(v) != json_integer_value(json_object_get(after, k)))
            json_object_set_new(changed, k, json_pack("[I, I]", (json_int_t)json_integer_value(v),
                                                      json_int_at(after, k, NULL)));
    json_object_foreach(after, k, v)
        if (!json_object_get(before, k) && json_integer_value(v))
            json_object_set_new(changed, k, json_pack("[i, I]", 0,
                                                      (json_int_t)json_integer_value(v)));
    if (rc == DB_OK)
        rc = audit_log(db, a, "stats.rebuild", "stats", "all", 0,
                       json_pack("{s:O}", "changed", changed));
    if (rc != DB_OK) {
        json_decref(changed);
        tx_fail(db, rc, err);
        goto fail;
    }
    if (tx_commit(db, err)) {
        json_decref(changed);
        goto fail;
    }
    json_decref(before);
    json_decref(after);
    return changed;
fail:
    json_decref(before);
    json_decref(after);
    return NULL;
}

/* ---- Files ----------------------------------------------------------------------------- */

/* The columns of an org row, in the XLSX sheet and the CSV file. */
static const struct xlsx_col org_cols[] = {
    {"组织代码", 14}, {"组织名称", 30},
    {"合计", 8}, {"职工沟通会", 11}, {"企业沟通会", 11},
    {"合计", 8}, {"扫码入会", 10}, {"现场入会", 10}, {"名册导入", 10},
    {"合计", 8}, {"百人以上", 10},
    {"互助卡", 9}, {"宣传资料", 10}, {"咨询", 8},
};
static const struct xlsx_group org_groups[] = {
    {NULL, 1}, {NULL, 1}, {"双沟通活动（场）", 3}, {"新入会会员（人）", 4},
    {"新建工会（家）", 2}, {NULL, 1}, {NULL, 1}, {NULL, 1},
};
#define ORG_COLS (sizeof org_cols / sizeof *org_cols)

static const char *num(char buf[24], json_int_t n)
{
    snprintf(buf, 24, "%lld", (long long)n);
    return buf;
}

/* Fills the cells of one org row (numbers into bufs). */
static void org_row(const json_t *f, const char *code, const char *name,
                    char bufs[ORG_COLS][24], const char *cells[ORG_COLS])
{
    static const struct { const char *a, *b; } paths[] = {
        {"activities", "total"}, {"activities", "worker_meetings"},
        {"activities", "enterprise_meetings"},
        {"members_joined", "total"}, {"members_joined", "via_qr"},
        {"members_joined", "onsite"}, {"members_joined", "import"},
        {"unions_founded", "total"}, {"unions_founded", "headcount_100_plus"},
        {"cards_issued", NULL}, {"materials", "total"}, {"questions", "total"},
    };
    cells[0] = code;
    cells[1] = name;
    for (size_t i = 0; i < UB_ARRAY_LEN(paths); i++)
        cells[2 + i] = num(bufs[2 + i], json_int_at(f, paths[i].a, paths[i].b));
}

int report_xlsx(const json_t *s, const char *path)
{
    struct xlsx *x = xlsx_book(path);
    if (!x)
        return -1;
    const char *name = json_string_value(json_object_get(s, "name"));
    const char *from = json_string_value(json_object_get(s, "from"));
    const char *to = json_string_value(json_object_get(s, "to"));
    char title[512];
    snprintf(title, sizeof title, "%s 工作情况汇总（%s 至 %s）", name, from, to);

    static const struct xlsx_col sum_cols[] = {{"项目", 26}, {"数量", 12}};
    xlsx_add_sheet(x, "汇总", title, NULL, 0, sum_cols, 2);
    xlsx_number_column(x, 1);
    static const struct { const char *label, *a, *b; } lines[] = {
        {"双沟通活动（场）", "activities", "total"},
        {"  其中：职工沟通会", "activities", "worker_meetings"},
        {"        企业沟通会", "activities", "enterprise_meetings"},
        {"新入会会员（人）", "members_joined", "total"},
        {"  其中：扫码入会", "members_joined", "via_qr"},
        {"        现场入会", "members_joined", "onsite"},
        {"        名册导入", "members_joined", "import"},
        {"新建工会（家）", "unions_founded", "total"},
        {"  其中：百人以上企业", "unions_founded", "headcount_100_plus"},
        {"发放互助服务卡（张）", "cards_issued", NULL},
        {"发放宣传资料（份）", "materials", "total"},
        {"解答咨询（次）", "questions", "total"},
        {"沟通职工（人）", "people", NULL},
    };
    char buf[24];
    for (size_t i = 0; i < UB_ARRAY_LEN(lines); i++)
        xlsx_row(x, (const char *[]){lines[i].label,
                                     num(buf, json_int_at(s, lines[i].a, lines[i].b))});
    const char *k;
    json_t *v;
    char label[200];
    json_object_foreach(json_object_get(json_object_get(s, "materials"), "by_title"), k, v) {
        snprintf(label, sizeof label, "  资料：%s", k);
        xlsx_row(x, (const char *[]){label, num(buf, json_integer_value(v))});
    }
    json_object_foreach(json_object_get(json_object_get(s, "questions"), "by_topic"), k, v) {
        snprintf(label, sizeof label, "  咨询：%s", k);
        xlsx_row(x, (const char *[]){label, num(buf, json_integer_value(v))});
    }

    snprintf(title, sizeof title, "%s 下级组织（%s 至 %s）", name, from, to);
    xlsx_add_sheet(x, "下级组织", title, org_groups, UB_ARRAY_LEN(org_groups), org_cols,
                   ORG_COLS);
    for (size_t c = 2; c < ORG_COLS; c++)
        xlsx_number_column(x, c);
    char bufs[ORG_COLS][24];
    const char *cells[ORG_COLS];
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(s, "by_org"), i, row) {
        org_row(row, json_string_value(json_object_get(row, "org")),
                json_string_value(json_object_get(row, "name")), bufs, cells);
        xlsx_row(x, cells);
    }
    org_row(s, "合计", name, bufs, cells);
    xlsx_row(x, cells);
    return xlsx_close(x);
}

void report_csv(const json_t *s, struct buf *out)
{
    static const char *const heads[] = {
        "组织代码", "组织名称", "活动合计", "职工沟通会", "企业沟通会", "入会合计", "扫码入会",
        "现场入会", "名册导入", "新建工会", "百人以上", "互助卡", "宣传资料", "咨询",
    };
    buf_append(out, "\xEF\xBB\xBF", 3);
    for (size_t c = 0; c < ORG_COLS; c++) {
        if (c)
            buf_putc(out, ',');
        csv_put_field(out, heads[c], strlen(heads[c]));
    }
    buf_append(out, "\r\n", 2);
    char bufs[ORG_COLS][24];
    const char *cells[ORG_COLS];
    size_t n = json_array_size(json_object_get(s, "by_org"));
    for (size_t i = 0; i <= n; i++) {
        const json_t *f = i == 0 ? s : json_array_get(json_object_get(s, "by_org"), i - 1);
        org_row(f, json_string_value(json_object_get(f, "org")),
                json_string_value(json_object_get(f, "name")), bufs, cells);
        for (size_t c = 0; c < ORG_COLS; c++) {
            if (c)
                buf_putc(out, ',');
            csv_put_field(out, cells[c], strlen(cells[c]));
        }
        buf_append(out, "\r\n", 2);
    }
}
