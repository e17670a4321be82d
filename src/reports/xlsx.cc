// XLSX through libxlsxwriter: a sheet per table, the stamp in its first rows, bold headings frozen in view with
// the name columns, numbers as number cells (averages and shares with their decimals), widths by content.
#include <xlsxwriter.h>

#include <algorithm>
#include <set>

#include "ejournal/reports/report.h"

namespace ejournal::reports {
namespace {

// Excel's rules for a sheet name: at most 31 characters, none of []:*?/\ , unique in the workbook.
std::string sheet_name(const std::string& wanted, std::set<std::string>& taken) {
  std::string base;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < wanted.size() && chars < 28;) {
    const unsigned char c = static_cast<unsigned char>(wanted[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string ch = wanted.substr(i, len);
    base += std::string("[]:*?/\\").find(ch) != std::string::npos && len == 1 ? "_" : ch;
    i += len;
    ++chars;
  }
  if (base.empty()) base = "Лист";
  std::string name = base;
  for (int n = 2; taken.count(name) != 0; ++n) name = base + " " + std::to_string(n);
  taken.insert(name);
  return name;
}

// Characters of UTF-8 text (for column widths).
double width_of(const std::string& s) {
  double n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

Status write_xlsx(const Report& r, const std::string& path) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = nullptr;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return Status(Code::io_error, "cannot create " + path);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_text_wrap(head);
  format_set_align(head, LXW_ALIGN_CENTER);
  format_set_align(head, LXW_ALIGN_VERTICAL_TOP);
  format_set_border(head, LXW_BORDER_THIN);
  format_set_bg_color(head, 0xEEF2F8);
  lxw_format* cell = workbook_add_format(wb);
  format_set_border(cell, LXW_BORDER_THIN);
  lxw_format* decimals[3] = {cell, workbook_add_format(wb), workbook_add_format(wb)};
  format_set_border(decimals[1], LXW_BORDER_THIN);
  format_set_num_format(decimals[1], "0.0");
  format_set_border(decimals[2], LXW_BORDER_THIN);
  format_set_num_format(decimals[2], "0.00");
  lxw_format* total = workbook_add_format(wb);
  format_set_bold(total);
  format_set_border(total, LXW_BORDER_THIN);
  lxw_format* flagged = workbook_add_format(wb);
  format_set_border(flagged, LXW_BORDER_THIN);
  format_set_font_color(flagged, 0xB3261E);
  format_set_bold(flagged);
  format_set_bg_color(flagged, 0xFDE7E9);
  lxw_format* muted = workbook_add_format(wb);
  format_set_font_color(muted, 0x5F6B7A);

  std::set<std::string> taken;
  const std::vector<Table> none{Table{"Отчёт", "Нет данных за этот период", {}, {}, {}, {}, 0, false, {}}};
  for (const Table& t : r.tables.empty() ? none : r.tables) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name(t.name, taken).c_str());
    if (ws == nullptr) {
      workbook_close(wb);
      return Status(Code::internal, "cannot add a worksheet for " + t.name);
    }
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    lxw_row_t row = 0;
    worksheet_write_string(ws, row++, 0, r.stamp.school.c_str(), bold);
    worksheet_write_string(ws, row++, 0, (r.stamp.title + ", " + r.stamp.period).c_str(), bold);
    worksheet_write_string(ws, row++, 0, (t.caption.empty() ? t.name : t.caption).c_str(), nullptr);
    std::string origin = "Напечатано " + r.stamp.printed + (r.stamp.as_of.empty() ? "" : "; " + r.stamp.as_of) +
                         "; запись журнала " + r.stamp.digest();
    worksheet_write_string(ws, row++, 0, origin.c_str(), muted);
    ++row;
    const lxw_row_t first_head = row;
    std::size_t columns = 0;
    for (const auto& h : t.header) columns = std::max(columns, h.size());
    for (const auto& cells : t.rows) columns = std::max(columns, cells.size());
    std::vector<double> widths(columns, 4);
    for (std::size_t hr = 0; hr < t.header.size(); ++hr, ++row) {
      const auto& h = t.header[hr];
      for (std::size_t c = 0; c < h.size(); ++c) {
        // A heading equal to the one before it (past the name columns) continues it: merged.
        std::size_t end = c;
        while (hr + 1 < t.header.size() && c >= static_cast<std::size_t>(std::max(1, t.frozen_columns)) && end + 1 < h.size() &&
               h[end + 1] == h[c])
          ++end;
        if (end > c)
          worksheet_merge_range(ws, row, static_cast<lxw_col_t>(c), row, static_cast<lxw_col_t>(end), h[c].c_str(), head);
        else
          worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), h[c].c_str(), head);
        if (end == c) widths[c] = std::max(widths[c], std::min(width_of(h[c]) + 1, 16.0));
        c = end;
      }
    }
    for (std::size_t i = 0; i < t.rows.size(); ++i, ++row) {
      const bool is_total = std::find(t.bold_rows.begin(), t.bold_rows.end(), static_cast<int>(i)) != t.bold_rows.end();
      for (std::size_t c = 0; c < t.rows[i].size(); ++c) {
        const Cell& x = t.rows[i][c];
        lxw_format* f = x.flagged ? flagged : is_total ? total : x.kind == Cell::Kind::number ? decimals[std::clamp(x.decimals, 0, 2)] : cell;
        const auto col = static_cast<lxw_col_t>(c);
        if (x.kind == Cell::Kind::number) worksheet_write_number(ws, row, col, x.number, f);
        else if (x.kind == Cell::Kind::text) worksheet_write_string(ws, row, col, x.text.c_str(), f);
        else worksheet_write_blank(ws, row, col, f);
        widths[c] = std::max(widths[c], width_of(x.text) + 1);
      }
    }
    for (const std::string& n : t.notes) worksheet_write_string(ws, row++, 0, n.c_str(), nullptr);
    for (std::size_t c = 0; c < columns; ++c) {
      const double w = c < t.widths.size() && t.widths[c] > 0 ? t.widths[c] : std::min(widths[c], 60.0);
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), w, nullptr);
    }
    worksheet_freeze_panes(ws, static_cast<lxw_row_t>(first_head + t.header.size()), static_cast<lxw_col_t>(t.frozen_columns));
  }
  const lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) return Status(Code::io_error, std::string("cannot write ") + path + ": " + lxw_strerror(e));
  return Status::OK();
}

}  // namespace ejournal::reports
