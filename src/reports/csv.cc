// CSV as Russian spreadsheet programs open it by default: UTF-8 with a byte-order mark, `;` between fields,
// CRLF line ends, a field quoted when it holds `;`, `"` or a line break.
#include <string>

#include "ejournal/reports/report.h"

namespace ejournal::reports {
namespace {

void field(std::string& out, const std::string& s) {
  if (s.find_first_of(";\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void line(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ';';
    field(out, fields[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string to_csv(const Report& r) {
  std::string out = "\xEF\xBB\xBF";
  line(out, {r.stamp.school});
  line(out, {r.stamp.title, r.stamp.period});
  if (!r.stamp.as_of.empty()) line(out, {r.stamp.as_of});
  line(out, {"Напечатано " + r.stamp.printed, "Запись журнала " + r.stamp.digest()});
  for (const Table& t : r.tables) {
    out += "\r\n";
    line(out, {t.caption.empty() ? t.name : t.caption});
    for (const auto& h : t.header) line(out, h);
    for (const auto& row : t.rows) {
      std::vector<std::string> fields;
      fields.reserve(row.size());
      for (const Cell& c : row) fields.push_back(c.flagged ? c.text + "*" : c.text);
      line(out, fields);
    }
    for (const std::string& n : t.notes) line(out, {n});
  }
  return out;
}

}  // namespace ejournal::reports
