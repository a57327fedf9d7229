/*
 * founding.c: founding cases, their steps and rules, alerts and counts.
 */
#include "domain/founding.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/event.h"
#include "domain/org.h"
#include "domain/uscc.h"
#include "store/store_stats.h"

const char *const founding_step_names[] = {
    "contacted", "requested", "prep_group_approved", "recruiting", "reps_elected",
    "congress_held", "committee_elected", "election_approved", "registered", NULL,
};

static const char *const step_labels[] = {
    "宣传发动", "提出申请", "筹备组获批", "发展会员", "选举会员代表", "召开大会",
    "选举工会委员会", "选举结果获批", "法人资格登记",
};

int founding_step_index(const char *step)
{
    for (int i = 0; step && founding_step_names[i]; i++)
        if (strcmp(step, founding_step_names[i]) == 0)
            return i;
    return -1;
}

const char *founding_step_label(const char *step)
{
    int i = founding_step_index(step);
    if (i >= 0)
        return step_labels[i];
    if (step && strcmp(step, "abandoned") == 0)
        return "已放弃";
    return "已立案";
}

const char *founding_congress_label(const char *type)
{
    if (strcmp(type, "member_assembly") == 0)
        return "会员大会";
    if (strcmp(type, "member_rep_congress") == 0)
        return "会员代表大会";
    if (strcmp(type, "workers_congress") == 0)
        return "职工代表大会";
    return "";
}

const char *founding_next_step(const struct founding_rec *f)
{
    if (strcmp(f->status, "registered") == 0 || strcmp(f->status, "abandoned") == 0)
        return NULL;
    int i = founding_step_index(f->step);         /* -1 when just opened */
    const char *next = founding_step_names[i + 1];
    /* Representatives are elected only for a congress of 100 members or more. */
    if (next && strcmp(next, "reps_elected") == 0 && f->members < 100)
        next = "congress_held";
    return next;
}

void founding_committee_range(int64_t members, int *lo, int *hi)
{
    static const struct { int64_t upto; int lo, hi; } table[] = {
        {10, 1, 1}, {25, 3, 3}, {100, 3, 5}, {200, 5, 7}, {500, 7, 9},
        {1000, 9, 15}, {5000, 15, 21}, {10000, 21, 29}, {INT64_MAX, 29, 37},
    };
    size_t i = 0;
    while (members > table[i].upto)
        i++;
    *lo = table[i].lo;
    *hi = table[i].hi;
}

void founding_step_input_init(struct founding_step_input *in)
{
    memset(in, 0, sizeof *in);
    in->prep_group_size = in->members = in->representatives = in->attendance =
        in->committee_size = in->term_years = -1;
}

static char *id_str(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)id);
    return buf;
}

/* ---- Opening ---------------------------------------------------------------- */

int founding_open(struct db *db, const struct actor *a, const struct founding_open *in,
                  struct founding_rec *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    struct employer_rec e;
    int rc = store_employer_by_id(db, in->employer_id, &e);
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_EINVALID, "employer_not_found", "employer_id",
                             "用人单位不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_READ, e.org_path, err))
        return -1;
    if (strcmp(e.union_status, "unionised") == 0)
        return ub_fail(err, UB_ECONFLICT, "already_unionised", "“%s”已建立工会", e.name);

    struct org_rec guide;
    const char *code = in->guide_org && *in->guide_org ? in->guide_org : e.org_code;
    rc = store_org_by_code(db, code, &guide);
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_EINVALID, "org_not_found", "guide_org", "组织 %s 不存在",
                             code);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_WRITE, guide.path, err))
        return -1;
    if (org_level_rank(guide.level) > org_level_rank("town"))
        return ub_fail_field(err, UB_EINVALID, "org_not_federation", "guide_org",
                             "建会应由总工会指导");

    int64_t staff = a->user_id;
    if (in->staff && *in->staff) {
        struct user_rec u;
        rc = store_user_by_login(db, in->staff, &u);
        if (rc == DB_NOTFOUND || (rc == DB_OK && (u.disabled || !u.org_id
                                                 || strncmp(u.org_path, guide.path,
                                                            strlen(guide.path)) != 0)))
            return ub_fail_field(err, UB_EINVALID, "staff_not_found", "staff",
                                 "负责人应为%s的工作人员", guide.name);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        staff = u.id;
    }
    if (in->event_id) {
        /* The enterprise meeting that met this employer. */
        struct event_rec *ev = xmalloc(sizeof *ev);
        bool linked = false;
        int bad = event_get(db, a, in->event_id, ev, err);
        free(ev);
        if (bad) {
            if (err->kind == UB_ENOTFOUND)
                err->kind = UB_EINVALID;
            ub_strlcpy(err->field, "event_id", sizeof err->field);
            return -1;
        }
        rc = store_event_has_employer(db, in->event_id, e.id, &linked);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        if (!linked)
            return ub_fail_field(err, UB_EINVALID, "event_not_linked", "event_id",
                                 "该用人单位不在这场企业沟通会的名单中");
    }

    out->employer_id = e.id;
    out->guide_org_id = guide.id;
    out->staff_user_id = staff;
    out->event_id = in->event_id;
    out->created_by = a->user_id;
    if (tx_begin(db, err))
        return -1;
    rc = store_founding_insert(db, out);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "case_open", "“%s”已有进行中的建会", e.name);
    }
    if (rc == DB_OK)
        rc = store_employer_set_union(db, e.id, "founding", 0);
    char sid[24];
    if (rc == DB_OK)
        rc = audit_log(db, a, "founding.open", "founding", id_str(out->id, sid), guide.id,
                       json_pack("{s:I, s:s, s:s, s:I}", "employer_id", (json_int_t)e.id,
                                 "employer", e.name, "guide_org", guide.code, "event_id",
                                 (json_int_t)in->event_id));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    rc = store_founding_by_id(db, out->id, out);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int founding_get(struct db *db, const struct actor *a, int64_t id, struct founding_rec *out,
                 struct ub_err *err)
{
    int rc = store_founding_by_id(db, id, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "founding_not_found", "建会记录不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->guide_path, err);
}

int founding_steps(struct db *db, int64_t id, founding_step_cb cb, void *ud,
                   struct ub_err *err)
{
    int rc = store_founding_steps(db, id, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int founding_list(struct db *db, const struct actor *a, const char *org,
                  struct founding_filter *f, founding_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    int y, m, d;
    if ((f->from && *f->from && !ub_parse_date(f->from, &y, &m, &d))
        || (f->to && *f->to && !ub_parse_date(f->to, &y, &m, &d))
        || (f->founded_from && *f->founded_from && !ub_parse_date(f->founded_from, &y, &m, &d))
        || (f->founded_to && *f->founded_to && !ub_parse_date(f->founded_to, &y, &m, &d)))
        return ub_fail(err, UB_EBAD, "invalid_date", "日期应为 YYYY-MM-DD");
    static const char *const statuses[] = {"open", "founded", "registered", "abandoned"};
    bool known = !f->status || !*f->status;
    for (size_t i = 0; !known && i < UB_ARRAY_LEN(statuses); i++)
        known = strcmp(f->status, statuses[i]) == 0;
    if (!known)
        return ub_fail_field(err, UB_EBAD, "bad_query", "status",
                             "status 应为 open、founded、registered 或 abandoned");
    if (f->limit < 1 || f->limit > FOUNDING_LIST_MAX)
        return ub_fail_field(err, UB_EBAD, "invalid_limit", "limit", "limit 应在1到%d之间",
                             FOUNDING_LIST_MAX);
    f->path = t.path;
    f->district = t.district;
    int rc = store_founding_list(db, f, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Steps ------------------------------------------------------------------ */

static int need_int(const char *field, int64_t v, int64_t lo, int64_t hi, const char *what,
                    struct ub_err *err)
{
    if (v < 0)
        return ub_fail_field(err, UB_EINVALID, "missing_field", field, "请填写%s", what);
    if (v < lo || v > hi)
        return ub_fail_field(err, UB_EINVALID, "invalid_value", field, "%s应在%lld到%lld之间",
                             what, (long long)lo, (long long)hi);
    return 0;
}

static int need_text(const char *field, const char *s, size_t max, const char *what,
                     struct ub_err *err)
{
    if (!s || !*s || strspn(s, " \t") == strlen(s))
        return ub_fail_field(err, UB_EINVALID, "missing_field", field, "请填写%s", what);
    if (!ub_utf8_text(s, false))
        return ub_fail_field(err, UB_EINVALID, "invalid_text", field, "%s含有无效字符", what);
    if (ub_utf8_len(s) > max)
        return ub_fail_field(err, UB_EINVALID, "too_long", field, "%s不能超过%zu个字", what, max);
    return 0;
}

/* Checks the facts of in for its step against the case so far, and writes
 * them into f and into the step's facts object. */
static int apply_facts(const struct founding_step_input *in, struct founding_rec *f,
                       json_t *facts, struct ub_err *err)
{
    const char *step = in->step;
    if (strcmp(step, "prep_group_approved") == 0) {
        if (need_int("prep_group_size", in->prep_group_size, 3, 7, "筹备组人数", err))
            return -1;
        f->prep_group_size = in->prep_group_size;
        ub_strlcpy(f->prep_approved_on, in->date, sizeof f->prep_approved_on);
        json_object_set_new(facts, "prep_group_size", json_integer(in->prep_group_size));
    } else if (strcmp(step, "recruiting") == 0) {
        int64_t cap = f->employer_headcount > 0 ? f->employer_headcount : 10000000;
        if (need_int("members", in->members, 1, 10000000, "会员人数", err))
            return -1;
        if (in->members > cap)
            return ub_fail_field(err, UB_EINVALID, "members_exceed_headcount", "members",
                                 "会员人数（%lld）超过单位职工人数（%lld），请先更新职工人数",
                                 (long long)in->members, (long long)cap);
        f->members = in->members;
        json_object_set_new(facts, "members", json_integer(in->members));
    } else if (strcmp(step, "reps_elected") == 0) {
        if (need_int("representatives", in->representatives, 1, f->members, "会员代表人数",
                     err))
            return -1;
        f->representatives = in->representatives;
        json_object_set_new(facts, "representatives", json_integer(in->representatives));
    } else if (strcmp(step, "congress_held") == 0) {
        const char *t = in->congress_type;
        if (!t || !*t)
            return ub_fail_field(err, UB_EINVALID, "missing_field", "congress_type",
                                 "请选择大会类型");
        if (!*founding_congress_label(t))
            return ub_fail_field(err, UB_EINVALID, "invalid_congress_type", "congress_type",
                                 "大会类型应为 member_assembly、member_rep_congress 或 "
                                 "workers_congress");
        if (strcmp(t, "member_assembly") == 0 && f->members >= 100)
            return ub_fail_field(err, UB_EINVALID, "congress_type_mismatch", "congress_type",
                                 "会员100人以上应召开会员代表大会");
        if (strcmp(t, "member_rep_congress") == 0 && f->members < 100)
            return ub_fail_field(err, UB_EINVALID, "congress_type_mismatch", "congress_type",
                                 "会员不足100人应召开会员大会");
        /* Who may attend, and the quorum: more than half of the members at
         * an assembly, two thirds of the representatives at a congress. */
        bool reps = f->representatives > 0 && strcmp(t, "member_assembly") != 0;
        int64_t body = reps ? f->representatives : f->members;
        if (need_int("attendance", in->attendance, 1, body > 0 ? body : 10000000, "出席人数",
                     err))
            return -1;
        if (body > 0 && (reps ? in->attendance * 3 < body * 2 : in->attendance * 2 <= body))
            return ub_fail_field(err, UB_EINVALID, "quorum_not_met", "attendance",
                                 "出席人数不足：应%s", reps ? "有三分之二以上代表出席"
                                                             : "有过半数会员出席");
        ub_strlcpy(f->congress_type, t, sizeof f->congress_type);
        f->attendance = in->attendance;
        json_object_set_new(facts, "congress_type", json_string(t));
        json_object_set_new(facts, "attendance", json_integer(in->attendance));
    } else if (strcmp(step, "committee_elected") == 0) {
        int lo, hi;
        founding_committee_range(f->members, &lo, &hi);
        if (need_int("committee_size", in->committee_size, 1, 99, "委员会人数", err))
            return -1;
        if (in->committee_size < lo || in->committee_size > hi || in->committee_size % 2 == 0)
            return ub_fail_field(err, UB_EINVALID, "committee_size", "committee_size",
                                 "会员%lld人的工会委员会应为%d%s%d人（单数）",
                                 (long long)f->members, lo, lo == hi ? "" : "至", hi);
        if (need_text("chair_name", in->chair_name, 30, "主席姓名", err))
            return -1;
        if (*f->employer_legal_rep && strcmp(in->chair_name, f->employer_legal_rep) == 0)
            return ub_fail_field(err, UB_EINVALID, "chair_is_legal_rep", "chair_name",
                                 "企业法定代表人不得担任工会主席");
        f->committee_size = in->committee_size;
        ub_strlcpy(f->chair_name, in->chair_name, sizeof f->chair_name);
        json_object_set_new(facts, "committee_size", json_integer(in->committee_size));
        json_object_set_new(facts, "chair_name", json_string(in->chair_name));
    } else if (strcmp(step, "election_approved") == 0) {
        if (need_text("document_no", in->document_no, 50, "批复文号", err))
            return -1;
        if (in->term_years != 3 && in->term_years != 5)
            return ub_fail_field(err, UB_EINVALID, in->term_years < 0 ? "missing_field"
                                                                      : "invalid_value",
                                 "term_years", "任期应为3年或5年");
        ub_strlcpy(f->document_no, in->document_no, sizeof f->document_no);
        f->term_years = in->term_years;
        ub_strlcpy(f->founded_on, in->date, sizeof f->founded_on);
        f->founded_headcount = f->employer_headcount;
        json_object_set_new(facts, "document_no", json_string(in->document_no));
        json_object_set_new(facts, "term_years", json_integer(in->term_years));
    } else if (strcmp(step, "registered") == 0) {
        char uscc[19];
        if (!in->union_uscc || !*in->union_uscc)
            return ub_fail_field(err, UB_EINVALID, "missing_field", "union_uscc",
                                 "请填写工会的统一社会信用代码");
        enum uscc_error ue = uscc_parse(in->union_uscc, uscc);
        if (ue != USCC_OK)
            return ub_fail_field(err, UB_EINVALID, uscc_error_code(ue), "union_uscc", "%s",
                                 uscc_error_message(ue));
        if (strncmp(uscc, "81", 2) != 0)
            return ub_fail_field(err, UB_EINVALID, "union_uscc_not_union", "union_uscc",
                                 "工会的统一社会信用代码应以81开头");
        ub_strlcpy(f->union_uscc, uscc, sizeof f->union_uscc);
        json_object_set_new(facts, "union_uscc", json_string(uscc));
    }
    return 0;
}

/* Creates the new union under the guiding org (inside the transaction)
 * and marks the employer unionised. */
static int create_union(struct db *db, const struct actor *a,
                        const struct founding_step_input *in, struct founding_rec *f,
                        json_t *facts, struct ub_err *err)
{
    char code[ORG_CODE_MAX + 1], name[ORG_NAME_MAX + 16];
    if (in->union_code && *in->union_code)
        ub_strlcpy(code, in->union_code, sizeof code);
    else
        snprintf(code, sizeof code, "%.20s.F%lld", f->guide_code, (long long)f->id);
    if (in->union_name && *in->union_name)
        ub_strlcpy(name, in->union_name, sizeof name);
    else
        snprintf(name, sizeof name, "%s工会", f->employer_name);
    struct org_input oi = {code, name, "union", f->guide_code};
    struct org_rec o;
    if (org_create_in_tx(db, a, &oi, &o, err))
        return -1;
    f->union_org_id = o.id;
    ub_strlcpy(f->union_code, o.code, sizeof f->union_code);
    json_object_set_new(facts, "union_org", json_string(o.code));
    int rc = store_employer_set_union(db, f->employer_id, "unionised", o.id);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int founding_step(struct db *db, const struct actor *a, int64_t id,
                  const struct founding_step_input *in, struct founding_rec *out,
                  struct ub_err *err)
{
    if (founding_get(db, a, id, out, err) || actor_may(a, PERM_WRITE, out->guide_path, err))
        return -1;
    struct founding_rec *f = out;
    const char *step = in->step;
    bool abandon = step && strcmp(step, "abandoned") == 0;
    if (!step || !*step)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "step", "请选择步骤");
    if (!abandon && founding_step_index(step) < 0)
        return ub_fail_field(err, UB_EINVALID, "invalid_step", "step", "没有“%s”这一步", step);
    if (strcmp(f->status, "abandoned") == 0 || strcmp(f->status, "registered") == 0)
        return ub_fail(err, UB_ECONFLICT, "case_closed", "该建会记录已%s",
                       strcmp(f->status, "abandoned") == 0 ? "放弃" : "完成登记");
    if (abandon && strcmp(f->status, "open") != 0)
        return ub_fail(err, UB_ECONFLICT, "already_founded", "工会已成立，不能放弃");

    /* The order: the next step, or recruiting again while recruiting. */
    const char *next = founding_next_step(f);
    bool again = strcmp(step, "recruiting") == 0 && strcmp(f->step, "recruiting") == 0;
    if (!abandon && !again && (!next || strcmp(step, next) != 0)) {
        int want = founding_step_index(next), got = founding_step_index(step);
        if (strcmp(step, "reps_elected") == 0 && f->members < 100
            && founding_step_index(f->step) == founding_step_index("recruiting"))
            return ub_fail_field(err, UB_EINVALID, "reps_not_needed", "step",
                                 "会员不足100人，召开会员大会，不需选举会员代表");
        return ub_fail_field(err, UB_EINVALID, got < want ? "step_done" : "step_out_of_order",
                             "step", got < want ? "“%s”已经完成，不能退回" :
                             "下一步应为“%s”，不能跳过", got < want ? founding_step_label(step)
                                                                  : founding_step_label(next));
    }

    /* The date: a real one, not before the last step, not in the future. */
    char today[11];
    ub_local_date(ub_now(), today);
    int y, m, d;
    if (!in->date || !ub_parse_date(in->date, &y, &m, &d))
        return ub_fail_field(err, UB_EINVALID, in->date && *in->date ? "invalid_date"
                                                                     : "missing_field",
                             "date", "日期应为 YYYY-MM-DD");
    if (strcmp(in->date, today) > 0)
        return ub_fail_field(err, UB_EINVALID, "date_in_future", "date", "日期不能晚于今天");
    if (*f->step_on && strcmp(in->date, f->step_on) < 0)
        return ub_fail_field(err, UB_EINVALID, "date_before_last_step", "date",
                             "日期不能早于上一步（%s）", f->step_on);
    if (in->notes && *in->notes && (!ub_utf8_text(in->notes, true) || ub_utf8_len(in->notes) > 500))
        return ub_fail_field(err, UB_EINVALID, "invalid_text", "notes", "备注不能超过500字");

    json_t *facts = json_object();
    struct founding_rec before = *f;
    if (!abandon && apply_facts(in, f, facts, err)) {
        json_decref(facts);
        return -1;
    }
    ub_strlcpy(f->step, step, sizeof f->step);
    ub_strlcpy(f->step_on, in->date, sizeof f->step_on);
    if (abandon)
        ub_strlcpy(f->status, "abandoned", sizeof f->status);
    else if (strcmp(step, "election_approved") == 0)
        ub_strlcpy(f->status, "founded", sizeof f->status);
    else if (strcmp(step, "registered") == 0)
        ub_strlcpy(f->status, "registered", sizeof f->status);

    if (tx_begin(db, err)) {
        json_decref(facts);
        return -1;
    }
    if (strcmp(step, "election_approved") == 0 && create_union(db, a, in, f, facts, err)) {
        db_rollback(db);
        json_decref(facts);
        *f = before;
        return -1;
    }
    int rc = abandon ? store_employer_set_union(db, f->employer_id, "none", 0) : DB_OK;
    if (rc == DB_OK && strcmp(step, "election_approved") == 0) {
        rc = store_stats_add(db, f->guide_org_id, f->founded_on, "founded", "", 1);
        if (rc == DB_OK && f->founded_headcount >= 100)
            rc = store_stats_add(db, f->guide_org_id, f->founded_on, "founded_100", "", 1);
    }
    if (rc == DB_OK)
        rc = store_founding_update(db, f);
    struct founding_step_rec *s = xcalloc(1, sizeof *s);
    s->case_id = f->id;
    ub_strlcpy(s->step, step, sizeof s->step);
    ub_strlcpy(s->step_on, in->date, sizeof s->step_on);
    char *text = json_dumps(facts, JSON_COMPACT | JSON_SORT_KEYS);
    ub_strlcpy(s->facts, text, sizeof s->facts);
    free(text);
    ub_strlcpy(s->notes, in->notes ? in->notes : "", sizeof s->notes);
    s->user_id = a->user_id;
    if (rc == DB_OK)
        rc = store_founding_step_insert(db, s);
    free(s);
    char sid[24];
    json_object_set_new(facts, "step", json_string(step));
    json_object_set_new(facts, "date", json_string(in->date));
    if (rc == DB_OK)
        rc = audit_log(db, a, "founding.step", "founding", id_str(f->id, sid), f->guide_org_id,
                       facts);
    else
        json_decref(facts);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    rc = store_founding_by_id(db, id, out);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Alerts and counts --------------------------------------------------------- */

struct alert_walk {
    int64_t today;                      /* in days */
    int idle_days;
    founding_alert_cb cb;
    void *ud;
};

/* The date six months after `date`, as days. */
static int64_t six_months_after(const char *date)
{
    int y, m, d;
    if (!ub_parse_date(date, &y, &m, &d))
        return INT64_MAX;
    m += FOUNDING_PREP_MONTHS;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    char s[40];
    int64_t days;
    for (; d > 28; d--) {               /* 31 August + 6 months: end of February */
        snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
        if (ub_date_days(s, &days))
            return days;
    }
    snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
    return ub_date_days(s, &days) ? days : INT64_MAX;
}

static int alert_case(void *ud, const struct founding_rec *f)
{
    struct alert_walk *w = ud;
    int64_t last;
    if (!ub_date_days(f->step_on, &last)) {
        char opened[11];
        ub_local_date(f->created_at, opened);
        ub_date_days(opened, &last);
    }
    int stop = 0;
    if (w->today - last >= w->idle_days)
        stop = w->cb(w->ud, "idle", w->today - last, f);
    int64_t due = *f->prep_approved_on ? six_months_after(f->prep_approved_on) : INT64_MAX;
    if (!stop && w->today > due)
        stop = w->cb(w->ud, "prep_overdue", w->today - due, f);
    if (!stop && f->members >= FOUNDING_COMMITTEE_FROM
        && founding_step_index(f->step) < founding_step_index("committee_elected"))
        stop = w->cb(w->ud, "committee_due", w->today - last, f);
    return stop;
}

int founding_alerts(struct db *db, const struct actor *a, const char *org, int idle_days,
                    const char *today, founding_alert_cb cb, void *ud, struct ub_err *err)
{
    if (idle_days < 1 || idle_days > 3650)
        return ub_fail_field(err, UB_EBAD, "bad_query", "idle_days", "idle_days 应在1到3650之间");
    struct alert_walk w = {0, idle_days, cb, ud};
    char now[11];
    if (!today) {
        ub_local_date(ub_now(), now);
        today = now;
    }
    if (!ub_date_days(today, &w.today))
        return ub_fail(err, UB_EBAD, "invalid_date", "日期应为 YYYY-MM-DD");
    struct founding_filter f = {.status = "open", .limit = FOUNDING_LIST_MAX};
    return founding_list(db, a, org, &f, alert_case, &w, err);
}

int founding_counts(struct db *db, const struct actor *a, const char *org, const char *from,
                    const char *to, int64_t *founded, int64_t *big, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    int y, m, d;
    if (!ub_parse_date(from, &y, &m, &d) || !ub_parse_date(to, &y, &m, &d))
        return ub_fail(err, UB_EBAD, "invalid_date", "日期应为 YYYY-MM-DD");
    int rc = store_founding_counts(db, t.path, t.district, from, to, founded, big);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}
