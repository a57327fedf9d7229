/*
 * xlsx.c: the text-only workbook writer of xlsx.h over libxlsxwriter.
 */
#include "lib/xlsx.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib/util.h"

struct xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *text;           /* "@": cells stay text */
    lxw_format *num;            /* whole numbers */
    bool *number;               /* per column: write whole numbers as such */
    double *width;              /* per column */
    size_t ncols;
    int64_t rows;
    bool failed;
};

struct xlsx *xlsx_open(const char *path, const char *sheet, const struct xlsx_col *cols,
                       size_t ncols)
{
    /* libxlsxwriter creates the file only when closing, and then reports
     * a failure on stderr itself: find out now whether it can. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return NULL;
    struct xlsx *x = xcalloc(1, sizeof *x);
    x->wb = wb;
    x->ncols = ncols;
    x->number = xcalloc(ncols ? ncols : 1, sizeof *x->number);
    x->width = xcalloc(ncols ? ncols : 1, sizeof *x->width);
    for (size_t c = 0; c < ncols; c++)
        x->width[c] = cols[c].width;
    x->ws = workbook_add_worksheet(wb, sheet);
    x->text = workbook_add_format(wb);
    x->num = workbook_add_format(wb);
    lxw_format *head = workbook_add_format(wb);
    if (!x->ws || !x->text || !x->num || !head) {
        x->failed = true;
        return x;
    }
    format_set_num_format(x->text, "@");
    format_set_num_format(x->num, "0");
    format_set_bold(head);
    format_set_num_format(head, "@");
    for (size_t c = 0; c < ncols; c++) {
        if (worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, x->text)
            || worksheet_write_string(x->ws, 0, (lxw_col_t)c, cols[c].title, head))
            x->failed = true;
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    return x;
}

void xlsx_number_column(struct xlsx *x, size_t col)
{
    if (col < x->ncols && !x->failed) {
        x->number[col] = true;
        worksheet_set_column(x->ws, (lxw_col_t)col, (lxw_col_t)col, x->width[col], x->num);
    }
}

int xlsx_row(struct xlsx *x, const char *const *cells)
{
    if (x->failed || x->rows >= XLSX_MAX_ROWS)
        return -1;
    lxw_row_t row = (lxw_row_t)(x->rows + 1);
    for (size_t c = 0; c < x->ncols; c++) {
        if (!cells[c] || !*cells[c])
            continue;
        int64_t v;
        lxw_error e = x->number[c] && ub_parse_i64(cells[c], &v)
                          ? worksheet_write_number(x->ws, row, (lxw_col_t)c, (double)v, x->num)
                          : worksheet_write_string(x->ws, row, (lxw_col_t)c, cells[c], x->text);
        if (e) {
            x->failed = true;
            return -1;
        }
    }
    x->rows++;
    return 0;
}

int64_t xlsx_rows(const struct xlsx *x)
{
    return x->rows;
}

int xlsx_close(struct xlsx *x)
{
    if (!x)
        return -1;
    /* workbook_close frees the workbook whatever it returns. */
    bool ok = workbook_close(x->wb) == LXW_NO_ERROR && !x->failed;
    free(x->number);
    free(x->width);
    free(x);
    return ok ? 0 : -1;
}
