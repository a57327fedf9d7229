/*
 * chart.c: column and bar charts as inline SVG.
 */
#include "web/chart.h"

#include "http/html.h"

static json_int_t max_of(const json_int_t *v, size_t n, json_int_t m)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

void chart_columns(struct buf *b, const char *title, const char *const *labels, size_t n,
                   const struct chart_series *series, size_t nseries)
{
    const int W = 640, H = 240, top = 24, bottom = 36, left = 8;
    json_int_t m = 1;
    for (size_t s = 0; s < nseries; s++)
        m = max_of(series[s].values, n, m);
    double slot = n ? (double)(W - 2 * left) / (double)n : 0;
    double bar = slot * 0.7 / (double)(nseries ? nseries : 1);
    html_printf(b, "<figure class=\"chart\"><svg viewBox=\"0 0 %d %d\" role=\"img\" "
                   "aria-label=\"%s\"><title>%s</title>", W, H, title, title);
    html_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left,
                H - bottom, W - left, H - bottom);
    for (size_t i = 0; i < n; i++) {
        double x0 = left + slot * (double)i + slot * 0.15;
        for (size_t s = 0; s < nseries; s++) {
            json_int_t v = series[s].values[i];
            double h = (double)(H - top - bottom) * (double)v / (double)m;
            double x = x0 + bar * (double)s;
            html_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "class=\"%s\"><title>%s %s：%lld</title></rect>",
                        x, (double)(H - bottom) - h, bar - 1, h, series[s].css, labels[i],
                        series[s].name, (long long)v);
            html_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"val\">%lld</text>",
                        x + (bar - 1) / 2, (double)(H - bottom) - h - 4, (long long)v);
        }
        html_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"lab\">%s</text>", x0 + slot * 0.35,
                    H - bottom + 18, labels[i]);
    }
    html_raw_trusted(b, "</svg><figcaption>");
    for (size_t s = 0; s < nseries; s++)
        html_printf(b, "<span class=\"key %s\"></span>%s ", series[s].css, series[s].name);
    html_printf(b, "· %s</figcaption></figure>", title);
}

void chart_bars(struct buf *b, const char *title, const char *const *labels,
                const json_int_t *values, size_t n, const char *const *links)
{
    const int W = 640, row = 26, left = 190, right = 60;
    int H = (int)n * row + 8;
    json_int_t m = max_of(values, n, 1);
    html_printf(b, "<figure class=\"chart\"><svg viewBox=\"0 0 %d %d\" role=\"img\" "
                   "aria-label=\"%s\"><title>%s</title>", W, H > 30 ? H : 30, title, title);
    for (size_t i = 0; i < n; i++) {
        double w = (double)(W - left - right) * (double)values[i] / (double)m;
        int y = 4 + (int)i * row;
        if (links && links[i])
            html_printf(b, "<a href=\"%s\">", links[i]);
        html_printf(b, "<text x=\"%d\" y=\"%d\" class=\"name\">%s</text>", left - 8, y + 17,
                    labels[i]);
        if (links && links[i])
            html_raw_trusted(b, "</a>");
        html_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"s1\">"
                       "<title>%s：%lld</title></rect><text x=\"%.1f\" y=\"%d\" class=\"num\">"
                       "%lld</text>",
                    left, y + 4, w, row - 8, labels[i], (long long)values[i],
                    (double)left + w + 6, y + 17, (long long)values[i]);
    }
    html_printf(b, "</svg><figcaption>%s</figcaption></figure>", title);
}
