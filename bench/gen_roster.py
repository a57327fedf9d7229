#!/usr/bin/env python3
"""bench/gen_roster.py: writes a synthetic member roster for bench/roster.sh.

The columns of the Beijing 工会会员登记表, as Excel saves "CSV UTF-8": a
BOM, CRLF line ends, fields quoted only when they must be (one address in
ten holds a comma).  Every row is valid and every ID number distinct (a
birth date per thousand rows, the sequence number within it, the check
character computed), so an import into an empty database takes them all.

    bench/gen_roster.py --rows 1000000 --out roster.csv [--encoding gbk]
"""
import argparse
import datetime
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
HEADER = ["姓名", "性别", "身份证号", "身份证有效期", "学历", "就业状态", "技能等级", "现居住地",
          "是否外地来京务工", "手机号", "互助服务卡卡号", "会籍状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀英", "秀兰", "霞"]
EDUCATION = ["初中", "高中", "中专", "大专", "本科"]
SKILL = ["无", "初级工", "中级工", "高级工"]
PLACES = ["鼓楼街道", "果园街道", "密云镇", "十里堡镇", "溪翁庄镇", "穆家峪镇"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--encoding", choices=["utf-8", "gbk"], default="utf-8")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not 1 <= a.rows <= 30000000:
        sys.exit("gen_roster: --rows must be 1..30000000")
    rnd = random.Random(a.seed)
    start = datetime.date(1966, 1, 1)
    # The weighted sum of the region part (110118) is the same for all.
    region = "110118"
    region_sum = sum(int(c) * w for c, w in zip(region, W))
    out = open(a.out, "w", encoding="utf-8-sig" if a.encoding == "utf-8" else "gbk",
               newline="")
    out.write(",".join(HEADER) + "\r\n")
    day_cache = {}
    lines = []
    for i in range(a.rows):
        day = i // 1000
        if day not in day_cache:
            born = (start + datetime.timedelta(days=day)).strftime("%Y%m%d")
            day_cache.clear()
            day_cache[day] = (born, region_sum + sum(int(c) * w for c, w in zip(born, W[6:14])))
        born, partial = day_cache[day]
        seq = "%03d" % (i % 1000)
        total = partial + int(seq[0]) * W[14] + int(seq[1]) * W[15] + int(seq[2]) * W[16]
        idn = region + born + seq + "10X98765432"[total % 11]
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN)
        gender = "男" if (i % 1000) % 2 else "女"
        place = "北京市密云区%s%d号" % (rnd.choice(PLACES), rnd.randrange(1, 300))
        if i % 10 == 0:
            place = '"%s,西侧平房"' % place
        lines.append("%s,%s,%s,2035-01-01,%s,在岗,%s,%s,%s,%s,,正常\r\n" % (
            name, gender, idn, rnd.choice(EDUCATION), rnd.choice(SKILL), place,
            "是" if rnd.random() < 0.4 else "否", "13%09d" % i))
        if len(lines) >= 10000:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))
    out.close()


if __name__ == "__main__":
    main()
