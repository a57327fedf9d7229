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

#include "lib/isotime.h"

#include "domain/claim.h"
#include "domain/employer.h"
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

int demo_load(struct db *db, const struct actor *a, struct ub_err *err)
{
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
    }
    /* The example rules of DOMAIN.md, for this year and the last:
     * outpatient 50% above a 1,000-yuan annual deductible, inpatient 60%
     * with none, each capped at 200,000 yuan a year. */
    char today[11];
    iso_date_of(ub_now(), today);
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
