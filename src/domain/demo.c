/*
 * demo.c: the Miyun demo tree.
 *
 * Town-level codes follow the administrative division codes of Miyun's
 * streets, towns and the economic development zone.
 */
#include "domain/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/claim.h"
#include "domain/employer.h"
#include "domain/event.h"
#include "domain/founding.h"
#include "domain/audit.h"
#include "domain/idcard.h"
#include "domain/member.h"
#include "store/store_stats.h"
#include "domain/giveaway.h"
#include "domain/org.h"
#include "domain/uscc.h"

static const struct org_input demo_orgs[] = {
    {"110000", "北京市总工会", "city", NULL},
    {"110118", "密云区总工会", "district", "110000"},
    {"110118001", "鼓楼街道总工会", "town", "110118"},
    {"110118002", "果园街道总工会", "town", "110118"},
    {"110118003", "檀营地区总工会", "town", "110118"},
    {"110118100", "密云镇总工会", "town", "110118"},
    {"110118101", "溪翁庄镇总工会", "town", "110118"},
    {"110118102", "西田各庄镇总工会", "town", "110118"},
    {"110118103", "十里堡镇总工会", "town", "110118"},
    {"110118104", "河南寨镇总工会", "town", "110118"},
    {"110118105", "巨各庄镇总工会", "town", "110118"},
    {"110118106", "穆家峪镇总工会", "town", "110118"},
    {"110118107", "太师屯镇总工会", "town", "110118"},
    {"110118108", "高岭镇总工会", "town", "110118"},
    {"110118109", "不老屯镇总工会", "town", "110118"},
    {"110118110", "冯家峪镇总工会", "town", "110118"},
    {"110118111", "古北口镇总工会", "town", "110118"},
    {"110118112", "大城子镇总工会", "town", "110118"},
    {"110118113", "东邵渠镇总工会", "town", "110118"},
    {"110118114", "北庄镇总工会", "town", "110118"},
    {"110118115", "新城子镇总工会", "town", "110118"},
    {"110118116", "石城镇总工会", "town", "110118"},
    {"110118400", "密云经济开发区总工会", "town", "110118"},
    {"110118001.J1", "鼓楼街道商圈联合工会", "joint", "110118001"},
    {"110118100.J1", "密云镇新就业形态劳动者联合工会", "joint", "110118100"},
    {"110118106.J1", "穆家峪镇联合工会", "joint", "110118106"},
    {"110118400.U1", "北京密云经济开发区某汽车零部件有限公司工会", "union", "110118400"},
};

struct demo_employer {
    const char *name;
    const char *body;           /* first 17 characters of the USCC */
    int64_t headcount;
    const char *org;
    const char *address;
    const char *legal_rep;
};

/* Invented but well-formed codes: the check character is computed. */
static const struct demo_employer demo_employers[] = {
    {"北京力方达科技发展有限公司", "91110118MA01LFD20", 120, "110118100",
     "北京市密云区密云镇", "王某"},
    {"华润万象汇（密云）商业管理有限公司", "91110118MA01HRW30", 260, "110118001",
     "北京市密云区鼓楼街道", "李某"},
    {"北京银行股份有限公司密云季庄支行", "91110118MA01BJB40", 35, "110118002",
     "北京市密云区果园街道", "赵某"},
    {"北京密云小唐庄物流有限公司", "91110118MA01XTJ50", 48, "110118100",
     "北京市密云区密云镇小唐庄", "孙某"},
    {"北京南穆家峪集贸市场管理有限公司", "91110118MA01NMJ60", 22, "110118106",
     "北京市密云区穆家峪镇人民路", "周某"},
    {"北京古北口旅游服务有限公司", "91110118MA01GBK70", 75, "110118111",
     "北京市密云区古北口镇", "吴某"},
    {"北京密云经开精密制造有限公司", "91110118MA01JKM80", 310, "110118400",
     "北京市密云区经济开发区", "郑某"},
    {"北京十里堡家政服务有限公司", "91110118MA01HLB90", 16, "110118103",
     "北京市密云区十里堡镇程家庄", "冯某"},
};

/* 27 May 2025: the city's worker communication meetings, one in each of
 * Miyun's 21 towns, streets and zones (the order of demo_orgs). */
static const char *const demo_venues[] = {
    "万象汇购物中心", "北京银行季庄支行门前", "檀营乡村集市", "小唐庄物流园", "溪翁庄镇文化广场",
    "西田各庄镇农贸市场", "十里堡镇家政服务站", "河南寨镇集市", "巨各庄镇村民广场",
    "南穆家峪集贸市场", "太师屯镇公园", "高岭镇便民服务中心", "不老屯镇集市",
    "冯家峪镇文化站", "古北口镇游客中心", "大城子镇集市", "东邵渠镇农贸市场", "北庄镇广场",
    "新城子镇便民服务中心", "石城镇游客服务中心", "开发区职工之家",
};

/* The campaign, its events, and the figures of the seed's busiest stall:
 * 150 leaflets and 18 mutual-aid cards. */
static int demo_outreach(struct db *db, const struct actor *a, struct ub_err *err)
{
    struct campaign_input ci = {
        .name = "市级职工沟通会", .level = "city", .theme = "扫码入会 · 普惠服务",
        .date_from = "2025-05-27", .date_to = "2025-05-27", .org = "110000",
    };
    struct campaign_rec c;
    if (campaign_create(db, a, &ci, &c, err))
        return -1;
    size_t v = 0;
    for (size_t i = 0; i < UB_ARRAY_LEN(demo_orgs) && v < UB_ARRAY_LEN(demo_venues); i++) {
        if (strcmp(demo_orgs[i].level, "town") != 0)
            continue;
        struct event_input in;
        event_input_init(&in);
        in.campaign_id = c.id;
        in.type = "worker_meeting";
        in.org = demo_orgs[i].code;
        in.venue = demo_venues[v++];
        in.starts_at = "2025-05-27T12:00:00+08:00";
        in.ends_at = "2025-05-27T14:00:00+08:00";
        in.status = "held";
        in.partners[0] = "司法所";
        in.npartners = 1;
        struct event_rec e;
        if (event_create(db, a, &in, &e, err))
            return -1;
        if (v == 1) {
            struct tally_input t = {.n = 4};
            t.items[0] = (struct tally_item){"material", "入会宝典", 100};
            t.items[1] = (struct tally_item){"material", "建会秘籍", 50};
            t.items[2] = (struct tally_item){"cards", "", 18};
            t.items[3] = (struct tally_item){"question", "二次报销", 6};
            bool replayed;
            if (event_tally(db, a, e.id, &t, NULL, &replayed, err))
                return -1;
        }
    }
    return 0;
}

/* Records one step of a demo case. */
static int demo_step(struct db *db, const struct actor *a, int64_t id,
                     struct founding_step_input *in, struct ub_err *err)
{
    struct founding_rec f;
    return founding_step(db, a, id, in, &f, err);
}

/* Founding cases: the seed's labour-dispatch company (120 members, a
 * workers' congress, its union founded in February), a logistics company
 * still recruiting, and one opened at an enterprise meeting. */
static int demo_founding(struct db *db, const struct actor *a, const int64_t *employer,
                         struct ub_err *err)
{
    struct founding_open o = {.employer_id = employer[0], .guide_org = "110118100"};
    struct founding_rec f;
    if (founding_open(db, a, &o, &f, err))
        return -1;
    static const struct {
        const char *step, *date;
        int64_t n;
    } walk[] = {
        {"contacted", "2025-01-06", 0}, {"requested", "2025-01-10", 0},
        {"prep_group_approved", "2025-01-15", 5}, {"recruiting", "2025-01-24", 120},
        {"reps_elected", "2025-02-10", 36}, {"congress_held", "2025-02-18", 33},
        {"committee_elected", "2025-02-18", 5}, {"election_approved", "2025-02-25", 5},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(walk); i++) {
        struct founding_step_input in;
        founding_step_input_init(&in);
        in.step = walk[i].step;
        in.date = walk[i].date;
        in.prep_group_size = in.members = in.representatives = in.attendance =
            in.committee_size = in.term_years = walk[i].n;
        in.congress_type = "workers_congress";
        in.chair_name = "张某";
        in.document_no = "密工发〔2025〕12号";
        in.union_name = "北京力方达科技发展有限公司工会";
        if (i == 0)
            in.notes = "区总工会、镇总工会政策宣传后，企业主动要求建会";
        if (demo_step(db, a, f.id, &in, err))
            return -1;
    }

    o = (struct founding_open){.employer_id = employer[3], .guide_org = "110118100"};
    if (founding_open(db, a, &o, &f, err))
        return -1;
    static const struct {
        const char *step, *date;
        int64_t n;
    } part[] = {
        {"contacted", "2025-03-03", 0}, {"requested", "2025-03-12", 0},
        {"prep_group_approved", "2025-03-20", 3}, {"recruiting", "2025-04-08", 28},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(part); i++) {
        struct founding_step_input in;
        founding_step_input_init(&in);
        in.step = part[i].step;
        in.date = part[i].date;
        in.prep_group_size = in.members = part[i].n;
        if (demo_step(db, a, f.id, &in, err))
            return -1;
    }

    /* An enterprise meeting at 古北口 opens the tourism company's case. */
    struct event_input ev;
    event_input_init(&ev);
    ev.type = "enterprise_meeting";
    ev.org = "110118111";
    ev.venue = "古北口镇总工会会议室";
    ev.starts_at = "2025-04-15T09:30:00+08:00";
    ev.status = "held";
    ev.employers[0] = employer[5];
    ev.nemployers = 1;
    struct event_rec e;
    if (event_create(db, a, &ev, &e, err))
        return -1;
    o = (struct founding_open){.employer_id = employer[5], .guide_org = "110118111",
                               .event_id = e.id};
    if (founding_open(db, a, &o, &f, err))
        return -1;
    struct founding_step_input in;
    founding_step_input_init(&in);
    in.step = "contacted";
    in.date = "2025-04-15";
    in.notes = "企业沟通会上介绍建会流程";
    return demo_step(db, a, f.id, &in, err);
}

/* The example reimbursement plan and a gift pack. */
static int demo_services(struct db *db, const struct actor *a, struct ub_err *err)
{
    /* The example rules of DOMAIN.md, for this year and the last:
     * outpatient 50% above a 1,000-yuan annual deductible, inpatient 60%
     * with none, each capped at 200,000 yuan a year. */
    char today[11];
    ub_local_date(ub_now(), today);
    int year = atoi(today);
    for (int y = year - 1; y <= year; y++) {
        struct plan_rec out = {.year = y, .kind = "outpatient", .deductible_fen = 100000,
                               .ratio_bp = 5000, .cap_fen = 20000000};
        struct plan_rec in = {.year = y, .kind = "inpatient", .deductible_fen = 0,
                              .ratio_bp = 6000, .cap_fen = 20000000};
        if (plan_create(db, a, &out, err) || plan_create(db, a, &in, err))
            return -1;
    }
    /* A new-year gift pack for the district's members, open for a year. */
    char opens[40], closes[40];
    int64_t now = ub_now();
    ub_iso_time(now - 3600, opens, sizeof opens);
    ub_iso_time(now + 365 * 86400, closes, sizeof closes);
    struct giveaway_input g = {.name = "新年礼包", .stock = 500, .org = "110118",
                               .opens_at = opens, .closes_at = closes};
    struct giveaway_rec rec;
    return giveaway_create(db, a, &g, &rec, err);
}

int demo_load(struct db *db, const struct actor *a, struct ub_err *err)
{
    int64_t employer[UB_ARRAY_LEN(demo_employers)];
    for (size_t i = 0; i < UB_ARRAY_LEN(demo_orgs); i++) {
        struct org_rec o;
        if (org_create(db, a, &demo_orgs[i], &o, err))
            return -1;
    }
    for (size_t i = 0; i < UB_ARRAY_LEN(demo_employers); i++) {
        const struct demo_employer *d = &demo_employers[i];
        char uscc[19];
        snprintf(uscc, sizeof uscc, "%s%c", d->body, uscc_check_char(d->body));
        struct employer_input in = {
            .name = d->name, .uscc = uscc, .headcount = d->headcount, .org = d->org,
            .address = d->address, .legal_rep = d->legal_rep,
        };
        struct employer_rec e;
        if (employer_create(db, a, &in, &e, err))
            return -1;
        employer[i] = e.id;
    }
    return demo_outreach(db, a, err) || demo_founding(db, a, employer, err)
                   || demo_services(db, a, err)
               ? -1
               : 0;
}

/* ---- The half-year ---------------------------------------------------------- */

/* A small deterministic generator, so every demo looks the same. */
static uint32_t demo_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xFFFFFF;
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周",
                                       "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高"};
static const char *const given[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊",
                                    "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞",
                                    "平", "刚", "桂英", "建华", "玉兰", "志强"};
static const char *const categories[] = {"courier", "food_delivery", "ride_hailing",
                                         "truck_driver", "security_guard", "domestic",
                                         "care_worker", "mall_info", "industrial", "outdoor",
                                         "real_estate_agent", "other"};

/* Employers founded in the half-year (besides the seed's dispatch company). */
static const struct demo_employer founded_employers[] = {
    {"北京鼓楼便民超市有限公司", "91110118MA02GLB11", 46, "110118001", "北京市密云区鼓楼街道", "钱某"},
    {"北京果园物业管理有限公司", "91110118MA02GYW12", 38, "110118002", "北京市密云区果园街道", "陈某"},
    {"北京檀营餐饮管理有限公司", "91110118MA02TYC13", 31, "110118003", "北京市密云区檀营", "褚某"},
    {"北京溪翁庄农业发展有限公司", "91110118MA02XWN14", 52, "110118101", "北京市密云区溪翁庄镇", "卫某"},
    {"北京西田各庄建材有限公司", "91110118MA02XTJ15", 64, "110118102", "北京市密云区西田各庄镇", "蒋某"},
    {"北京河南寨养殖专业合作社", "91110118MA02HNJ16", 27, "110118104", "北京市密云区河南寨镇", "沈某"},
    {"北京巨各庄旅游开发有限公司", "91110118MA02JGC17", 58, "110118105", "北京市密云区巨各庄镇", "韩某"},
    {"北京太师屯汽车服务有限公司", "91110118MA02TXT18", 35, "110118107", "北京市密云区太师屯镇", "杨某"},
    {"北京开发区精工机械有限公司", "91110118MA02KFJ19", 88, "110118400", "北京市密云区经济开发区", "秦某"},
};

/* Walks a small company's founding to approval within [first, last day]. */
static int demo_small_founding(struct db *db, const struct actor *a, int64_t employer,
                               const char *guide, int month, int members,
                               struct ub_err *err)
{
    struct founding_open o = {.employer_id = employer, .guide_org = guide};
    struct founding_rec f;
    if (founding_open(db, a, &o, &f, err))
        return -1;
    static const char *const steps[] = {"contacted", "requested", "prep_group_approved",
                                        "recruiting", "congress_held", "committee_elected",
                                        "election_approved"};
    for (int i = 0; i < 7; i++) {
        struct founding_step_input in;
        founding_step_input_init(&in);
        char date[16];
        snprintf(date, sizeof date, "2025-%02d-%02d", month, 2 + i * 3);
        in.step = steps[i];
        in.date = date;
        in.prep_group_size = 3;
        in.members = members;
        in.congress_type = "member_assembly";
        in.attendance = members / 2 + 1;
        in.committee_size = members > 25 ? 3 : 3;
        in.chair_name = "刘某某";
        in.document_no = "密工组〔2025〕号";
        in.term_years = 5;
        if (demo_step(db, a, f.id, &in, err))
            return -1;
    }
    return 0;
}

struct ev {
    char token[JOIN_TOKEN_LEN + 1];
    char day[11];
    int joins;
};

struct ev_list {
    struct ev *evs;
    size_t n, cap;
};

static int collect_meeting(void *ud, const struct event_rec *e)
{
    struct ev_list *l = ud;
    if (strcmp(e->type, "worker_meeting") != 0)
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->evs = xrealloc(l->evs, l->cap * sizeof *l->evs);
    }
    struct ev *v = &l->evs[l->n++];
    ub_strlcpy(v->token, e->token, sizeof v->token);
    ub_strlcpy(v->day, e->starts_on, sizeof v->day);
    /* The 27 May meetings drew the most workers. */
    v->joins = strcmp(e->starts_on, "2025-05-27") == 0 ? 15 : 6;
    return 0;
}

/* A worker joins through an event's QR code, is approved, and is given
 * the joining date of that day (history, not today). */
static int demo_join(struct db *db, const struct vault *v, const struct actor *a,
                     const struct ev *e, int i, uint32_t *seed, struct ub_err *err)
{
    char name[32], id[40], phone[24], body[32];
    snprintf(name, sizeof name, "%s%s", surnames[demo_rand(seed) % UB_ARRAY_LEN(surnames)],
             given[demo_rand(seed) % UB_ARRAY_LEN(given)]);
    snprintf(body, sizeof body, "110228%04d%02d%02d%03d", 1965 + (int)(demo_rand(seed) % 40),
             1 + (int)(demo_rand(seed) % 12), 1 + (int)(demo_rand(seed) % 28), i % 1000);
    snprintf(id, sizeof id, "%s%c", body, idcard_check_char(body));
    snprintf(phone, sizeof phone, "139%08d", 10000000 + i);
    struct join_input in = {
        .name = name, .id_number = id, .phone = phone, .employer_name = "",
        .category = categories[demo_rand(seed) % UB_ARRAY_LEN(categories)],
        .migrant = (int)(demo_rand(seed) % 2), .consent_version = JOIN_NOTICE_VERSION,
    };
    struct join_result res;
    bool replayed;
    if (join_submit(db, v, e->token, &in, "demo", NULL, 0, &res, &replayed, err))
        return -1;
    struct member_rec m;
    if (strcmp(res.status, "approved") != 0
        && application_approve(db, a, res.application_id, &m, err))
        return -1;
    if (strcmp(res.status, "approved") == 0) {
        int rc = store_member_by_no(db, res.member_no, &m);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
    }
    int64_t day;
    ub_date_days(e->day, &day);
    int64_t when = day * 86400 - 8 * 3600 + 12 * 3600 + (int64_t)(demo_rand(seed) % 14400)
                   + 86400 * (int64_t)(demo_rand(seed) % 3);
    if (when > 1751299199)              /* 2025-06-30T23:59:59+08:00 */
        when = 1751299199 - 3600;
    int rc = store_member_backdate(db, m.id, when);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int demo_half_year(struct db *db, const struct vault *v, const struct actor *a,
                   struct demo_counts *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    struct org_rec district;
    int rc = store_org_by_code(db, "110118", &district);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "org_not_found",
                       "没有密云区的演示组织：请先运行 init --demo");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    struct employer_rec taken;
    char uscc[19];
    snprintf(uscc, sizeof uscc, "%s%c", founded_employers[0].body,
             uscc_check_char(founded_employers[0].body));
    rc = store_employer_by_uscc(db, uscc, &taken);
    if (rc == DB_OK)
        return ub_fail(err, UB_ECONFLICT, "already_loaded", "半年演示数据已经载入");
    if (rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);

    /* Nine more unions founded, one a month or so (first: the employers
     * are the mark that this ran). */
    for (size_t i = 0; i < UB_ARRAY_LEN(founded_employers); i++) {
        const struct demo_employer *d = &founded_employers[i];
        snprintf(uscc, sizeof uscc, "%s%c", d->body, uscc_check_char(d->body));
        struct employer_input in = {
            .name = d->name, .uscc = uscc, .headcount = d->headcount, .org = d->org,
            .address = d->address, .legal_rep = d->legal_rep,
        };
        struct employer_rec e;
        if (employer_create(db, a, &in, &e, err)
            || demo_small_founding(db, a, e.id, d->org, 1 + (int)i % 6,
                                   (int)d->headcount * 2 / 3, err))
            return -1;
        out->founded++;
    }

    /* Worker meetings through the half-year in every town (the 27 May
     * ones exist already) and three more enterprise meetings: 90 and 4. */
    uint32_t seed = 20250527;
    const char *towns[UB_ARRAY_LEN(demo_orgs)];
    size_t ntowns = 0;
    for (size_t i = 0; i < UB_ARRAY_LEN(demo_orgs); i++)
        if (strcmp(demo_orgs[i].level, "town") == 0)
            towns[ntowns++] = demo_orgs[i].code;
    for (int k = 0; k < 69; k++) {
        struct event_input in;
        event_input_init(&in);
        char when[40];
        int month = 1 + k % 6, day = 3 + (int)(demo_rand(&seed) % 25);
        if (month == 5 && day == 27)
            day = 26;
        snprintf(when, sizeof when, "2025-%02d-%02dT%02d:00:00+08:00", month, day,
                 9 + (int)(demo_rand(&seed) % 6));
        in.type = "worker_meeting";
        in.org = towns[k % ntowns];
        in.venue = demo_venues[(k * 7) % UB_ARRAY_LEN(demo_venues)];
        in.starts_at = when;
        in.status = "held";
        struct event_rec e;
        if (event_create(db, a, &in, &e, err))
            return -1;
        struct tally_input t = {.n = 3};
        t.items[0] = (struct tally_item){"material", "入会宝典",
                                         10 + (int64_t)(demo_rand(&seed) % 30)};
        t.items[1] = (struct tally_item){"question", k % 2 ? "入会" : "权益保障",
                                         1 + (int64_t)(demo_rand(&seed) % 6)};
        t.items[2] = (struct tally_item){"people", "", 20 + (int64_t)(demo_rand(&seed) % 60)};
        bool replayed;
        if (event_tally(db, a, e.id, &t, NULL, &replayed, err))
            return -1;
        out->events++;
    }
    static const char *const ent_days[] = {"2025-02-20T10:00:00+08:00",
                                           "2025-03-18T10:00:00+08:00",
                                           "2025-06-10T10:00:00+08:00"};
    static const char *const ent_orgs[] = {"110118100", "110118001", "110118400"};
    for (int k = 0; k < 3; k++) {
        struct event_input in;
        event_input_init(&in);
        in.type = "enterprise_meeting";
        in.org = ent_orgs[k];
        in.venue = "总工会会议室";
        in.starts_at = ent_days[k];
        in.status = "held";
        struct event_rec e;
        if (event_create(db, a, &in, &e, err))
            return -1;
        out->events++;
    }

    /* 747 workers join through the worker meetings' QR codes. */
    struct ev_list l = {0};
    struct event_filter ef = {.path = district.path, .district = district.district_id,
                              .from = "2025-01-01", .to = "2025-06-30", .limit = 1000};
    rc = store_event_list(db, &ef, collect_meeting, &l);
    if (rc != DB_OK) {
        free(l.evs);
        return ub_fail_store(err, rc);
    }
    int planned = 0;
    for (size_t i = 0; i < l.n; i++)
        planned += l.evs[i].joins;
    for (size_t i = 0; planned != DEMO_JOINS && l.n; i = (i + 1) % l.n) {
        int step = planned < DEMO_JOINS ? 1 : -1;
        if (l.evs[i].joins + step >= 1) {
            l.evs[i].joins += step;
            planned += step;
        }
    }
    int n = 0;
    for (size_t i = 0; i < l.n; i++)
        for (int k = 0; k < l.evs[i].joins; k++)
            if (demo_join(db, v, a, &l.evs[i], n++, &seed, err)) {
                free(l.evs);
                return -1;
            }
    free(l.evs);
    out->members = n;

    /* The joining dates were set after the fact: count again. */
    if (tx_begin(db, err))
        return -1;
    rc = store_stats_rebuild(db);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}
