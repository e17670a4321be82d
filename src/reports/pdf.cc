// PDF through cairo and pango: A4 (landscape for wide tables), DejaVu Sans (cairo embeds the glyphs used).
// Each table is laid out first — its columns split into bands that fit the page width, the name columns
// repeated in every band; rows measured, never split across pages; the heading rows repeated on each page —
// so that every page can then say "страница N из M". Every page carries the school, the report and period,
// the table's caption, when it was printed (and as of when), lines for signatures, and the log position and
// head hash the report reflects.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <map>
#include <memory>

#include "ejournal/reports/report.h"

namespace ejournal::reports {
namespace {

constexpr double kPortraitW = 595.28, kPortraitH = 841.89;  // A4 in points
constexpr double kMargin = 28;
constexpr double kFont = 7.5;       // table text, points
constexpr double kCharWidth = 4.4;  // a column width unit (Table::widths is in characters) at kFont
constexpr double kPad = 2;
constexpr double kTopBlock = 46;     // school, title, caption
constexpr double kBottomBlock = 44;  // signatures, page number, digest

struct Band {
  std::vector<std::size_t> columns;  // frozen ones first
};

struct PageLayout {
  const Table* table = nullptr;
  std::size_t band = 0;
  std::size_t first = 0, last = 0;  // rows [first, last)
};

class Writer {
 public:
  explicit Writer(const std::string& path) {
    surface_ = cairo_pdf_surface_create(path.c_str(), kPortraitW, kPortraitH);
    cr_ = cairo_create(surface_);
    layout_ = pango_cairo_create_layout(cr_);
    pango_cairo_context_set_resolution(pango_layout_get_context(layout_), 72);  // a point is a unit
    pango_layout_context_changed(layout_);
    regular_ = pango_font_description_from_string("DejaVu Sans");
    bold_ = pango_font_description_from_string("DejaVu Sans Bold");
  }
  ~Writer() {
    for (auto& [key, layout] : short_) g_object_unref(layout);
    pango_font_description_free(regular_);
    pango_font_description_free(bold_);
    g_object_unref(layout_);
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Status status() const {
    const cairo_status_t s = cairo_surface_status(surface_);
    return s == CAIRO_STATUS_SUCCESS ? Status::OK() : Status(Code::io_error, std::string("PDF: ") + cairo_status_to_string(s));
  }

  // The height of `text` set in `width` points.
  double measure(const std::string& text, double width, bool bold, double size = kFont) {
    set(text, width, bold, size);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // Draws `text` in a box at (x, y) `width` wide; align 0 left, 1 centre, 2 right.
  void text(double x, double y, double width, const std::string& text, bool bold, double size = kFont, int align = 0) {
    // Short texts (marks, counts: most cells) are shaped once each and placed by their own width: setting
    // text in pango is what a page of tables spends its time on.
    if (text.size() <= 12 && text.find('\n') == std::string::npos) {
      const std::string key = std::string(bold ? "b" : "r") + std::to_string(size) + "|" + text;
      auto found = short_.find(key);
      if (found == short_.end()) {
        PangoLayout* layout = pango_cairo_create_layout(cr_);
        pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
        pango_layout_context_changed(layout);
        pango_font_description_set_size(bold ? bold_ : regular_, static_cast<gint>(size * PANGO_SCALE));
        pango_layout_set_font_description(layout, bold ? bold_ : regular_);
        pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));
        found = short_.emplace(key, layout).first;
      }
      int w = 0, h = 0;
      pango_layout_get_size(found->second, &w, &h);
      const double tw = static_cast<double>(w) / PANGO_SCALE;
      if (tw <= width) {
        const double dx = align == 1 ? (width - tw) / 2 : align == 2 ? width - tw : 0;
        cairo_move_to(cr_, x + dx, y);
        pango_cairo_show_layout(cr_, found->second);
        return;
      }
    }
    set(text, width, bold, size);
    pango_layout_set_alignment(layout_, align == 1 ? PANGO_ALIGN_CENTER : align == 2 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout_);
    pango_layout_set_alignment(layout_, PANGO_ALIGN_LEFT);
  }

  void rect(double x, double y, double w, double h, double grey) {
    cairo_rectangle(cr_, x, y, w, h);
    if (grey < 1) {
      cairo_set_source_rgb(cr_, grey, grey, grey);
      cairo_fill_preserve(cr_);
    }
    cairo_set_source_rgb(cr_, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr_, 0.4);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  void line(double x1, double y1, double x2, double y2) {
    cairo_move_to(cr_, x1, y1);
    cairo_line_to(cr_, x2, y2);
    cairo_set_line_width(cr_, 0.5);
    cairo_stroke(cr_);
  }

  void begin_page(bool landscape) {
    if (landscape) cairo_pdf_surface_set_size(surface_, kPortraitH, kPortraitW);
    else cairo_pdf_surface_set_size(surface_, kPortraitW, kPortraitH);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void end_page() { cairo_show_page(cr_); }
  void finish() { cairo_surface_finish(surface_); }

 private:
  void set(const std::string& text, double width, bool bold, double size) {
    pango_font_description_set_size(bold ? bold_ : regular_, static_cast<gint>(size * PANGO_SCALE));
    pango_layout_set_font_description(layout_, bold ? bold_ : regular_);
    pango_layout_set_width(layout_, static_cast<int>(std::max(1.0, width) * PANGO_SCALE));
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout_, text.c_str(), static_cast<int>(text.size()));
  }

  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  PangoLayout* layout_ = nullptr;
  PangoFontDescription* regular_ = nullptr;
  PangoFontDescription* bold_ = nullptr;
  std::map<std::string, PangoLayout*> short_;  // shaped short texts, by font and text
};

std::size_t columns_of(const Table& t) {
  std::size_t n = 0;
  for (const auto& h : t.header) n = std::max(n, h.size());
  for (const auto& r : t.rows) n = std::max(n, r.size());
  return n;
}

double page_width(const Table& t) { return t.landscape ? kPortraitH : kPortraitW; }
double page_height(const Table& t) { return t.landscape ? kPortraitW : kPortraitH; }

std::vector<double> column_widths(const Table& t) {
  const std::size_t n = columns_of(t);
  std::vector<double> w(n, 6 * kCharWidth);
  for (std::size_t c = 0; c < n && c < t.widths.size(); ++c)
    if (t.widths[c] > 0) w[c] = t.widths[c] * kCharWidth;
  const double limit = page_width(t) - 2 * kMargin;
  for (double& x : w) x = std::min(x, limit / 2);
  return w;
}

std::vector<Band> bands_of(const Table& t, const std::vector<double>& w) {
  const std::size_t n = w.size();
  const std::size_t frozen = std::min<std::size_t>(static_cast<std::size_t>(std::max(0, t.frozen_columns)), n);
  double fixed = 0;
  for (std::size_t c = 0; c < frozen; ++c) fixed += w[c];
  const double limit = page_width(t) - 2 * kMargin;
  std::vector<Band> out;
  std::size_t c = frozen;
  do {
    Band b;
    for (std::size_t f = 0; f < frozen; ++f) b.columns.push_back(f);
    double used = fixed;
    const std::size_t start = c;
    while (c < n && (used + w[c] <= limit || b.columns.size() == frozen)) {
      used += w[c];
      b.columns.push_back(c++);
    }
    // A band that ends inside a small group of columns under one heading (a subject's terms) ends before the
    // group instead, when that gives up at most a third of the band (a month of lessons is not a small group).
    if (c < n && t.header.size() > 1) {
      const auto& top = t.header[0];
      auto boundary = [&](std::size_t col) { return col >= top.size() || col == 0 || top[col] != top[col - 1]; };
      std::size_t cut = c;
      while (cut > start + 1 && !boundary(cut)) --cut;
      if (cut > start + 1 && cut < c && (c - cut) * 3 <= c - start) {
        b.columns.resize(b.columns.size() - (c - cut));
        c = cut;
      }
    }
    out.push_back(std::move(b));
  } while (c < n);
  return out;
}

const std::string& text_at(const std::vector<Cell>& row, std::size_t c) {
  static const std::string empty;
  return c < row.size() ? row[c].text : empty;
}

double row_height(Writer& pdf, const Table& t, const Band& band, const std::vector<double>& w, std::size_t r) {
  const bool bold = std::find(t.bold_rows.begin(), t.bold_rows.end(), static_cast<int>(r)) != t.bold_rows.end();
  double h = kFont * 1.3;
  for (std::size_t c : band.columns) {
    const std::string& text = text_at(t.rows[r], c);
    // A short text fits one line: no need to set it to know (most cells are a mark or a number).
    if (text.empty() || (text.size() <= 8 && w[c] >= 6 * kCharWidth)) continue;
    h = std::max(h, pdf.measure(text, w[c] - 2 * kPad, bold));
  }
  return h + 2 * kPad;
}

double header_height(Writer& pdf, const Table& t, const Band& band, const std::vector<double>& w, std::size_t hr) {
  double h = kFont * 1.3;
  for (std::size_t c : band.columns)
    if (c < t.header[hr].size()) h = std::max(h, pdf.measure(t.header[hr][c], w[c] - 2 * kPad, true));
  return h + 2 * kPad;
}

void draw_page(Writer& pdf, const Report& r, const PageLayout& p, const std::vector<Band>& bands, const std::vector<double>& w,
               const std::vector<double>& heights, int number, int pages) {
  const Table& t = *p.table;
  const Band& band = bands[p.band];
  const double pw = page_width(t), ph = page_height(t), width = pw - 2 * kMargin;
  pdf.begin_page(t.landscape);
  // The top: the school, the report and period, the table; when printed on the right.
  pdf.text(kMargin, kMargin - 10, width * 0.6, r.stamp.school, true, 9);
  pdf.text(kMargin + width * 0.6, kMargin - 10, width * 0.4,
           "Напечатано " + r.stamp.printed + (r.stamp.as_of.empty() ? "" : "\n" + r.stamp.as_of), false, 7, 2);
  pdf.text(kMargin, kMargin + 3, width, r.stamp.title + " — " + r.stamp.period, true, 9);
  std::string caption = t.caption.empty() ? t.name : t.caption;
  if (bands.size() > 1) caption += " (столбцы, часть " + std::to_string(p.band + 1) + " из " + std::to_string(bands.size()) + ")";
  pdf.text(kMargin, kMargin + 17, width, caption, false, 8);
  double y = kMargin + kTopBlock - 10;
  // The heading rows: a heading equal to the one before it, past the frozen columns, is one spanning cell.
  const std::size_t frozen = static_cast<std::size_t>(std::max(0, t.frozen_columns));
  for (std::size_t hr = 0; hr < t.header.size(); ++hr) {
    const double h = header_height(pdf, t, band, w, hr);
    double x = kMargin;
    for (std::size_t i = 0; i < band.columns.size(); ++i) {
      const std::size_t c = band.columns[i];
      const std::string& s = c < t.header[hr].size() ? t.header[hr][c] : std::string();
      double span = w[c];
      std::size_t j = i;
      while (hr + 1 < t.header.size() && c >= frozen && j + 1 < band.columns.size() && band.columns[j + 1] < t.header[hr].size() &&
             t.header[hr][band.columns[j + 1]] == s)
        span += w[band.columns[++j]];
      pdf.rect(x, y, span, h, 0.92);
      pdf.text(x + kPad, y + kPad, span - 2 * kPad, s, true, kFont, 1);
      x += span;
      i = j;
    }
    y += h;
  }
  for (std::size_t row = p.first; row < p.last; ++row) {
    const double h = heights[row];
    const bool bold = std::find(t.bold_rows.begin(), t.bold_rows.end(), static_cast<int>(row)) != t.bold_rows.end();
    double x = kMargin;
    for (std::size_t c : band.columns) {
      pdf.rect(x, y, w[c], h, 1);
      const Cell* cell = c < t.rows[row].size() ? &t.rows[row][c] : nullptr;
      if (cell != nullptr && cell->flagged) pdf.rect(x, y, w[c], h, 0.85);  // too few marks: shaded
      if (cell != nullptr && !cell->text.empty())
        pdf.text(x + kPad, y + kPad, w[c] - 2 * kPad, cell->text, bold || cell->flagged, kFont, cell->kind == Cell::Kind::number ? 1 : 0);
      x += w[c];
    }
    y += h;
  }
  if (p.last == t.rows.size() && p.band + 1 == bands.size())
    for (const std::string& n : t.notes) {
      pdf.text(kMargin, y + 4, width, n, false, 7);
      y += pdf.measure(n, width, false, 7) + 2;
    }
  // The bottom: lines to sign, the page, and the record of the log the page reflects.
  const double base = ph - kMargin - kBottomBlock + 8;
  const double slot = width / static_cast<double>(std::max<std::size_t>(1, r.signatures.size()));
  for (std::size_t i = 0; i < r.signatures.size(); ++i) {
    const double x = kMargin + slot * static_cast<double>(i);
    pdf.text(x, base, slot * 0.45, r.signatures[i], false, 7);
    pdf.line(x + slot * 0.45, base + 9, x + slot * 0.92, base + 9);
  }
  pdf.text(kMargin, base + 20, width * 0.75, "Запись журнала " + r.stamp.digest() + " (проверка: ejctl verify --digest)", false, 6);
  pdf.text(kMargin + width * 0.75, base + 20, width * 0.25, "Страница " + std::to_string(number) + " из " + std::to_string(pages), false, 7, 2);
  pdf.end_page();
}

}  // namespace

Status write_pdf(const Report& r, const std::string& path) {
  Writer pdf(path);
  if (auto s = pdf.status(); !s.ok()) return s;
  // Lay out every table first, so that each page knows how many there are.
  struct Laid {
    std::vector<double> widths;
    std::vector<Band> bands;
    std::vector<std::vector<double>> heights;  // per band, per row
  };
  std::vector<Laid> laid;
  std::vector<PageLayout> pages;
  const Table none{"Отчёт", "Нет данных за этот период", {}, {}, {}, {}, 0, false, {}};
  std::vector<const Table*> tables;
  for (const Table& t : r.tables) tables.push_back(&t);
  if (tables.empty()) tables.push_back(&none);
  laid.reserve(tables.size());
  for (const Table* t : tables) {
    Laid l{column_widths(*t), {}, {}};
    l.bands = bands_of(*t, l.widths);
    l.heights.resize(l.bands.size());
    const double bottom = page_height(*t) - kMargin - kBottomBlock;
    for (std::size_t b = 0; b < l.bands.size(); ++b) {
      double head = kMargin + kTopBlock - 10;
      for (std::size_t hr = 0; hr < t->header.size(); ++hr) head += header_height(pdf, *t, l.bands[b], l.widths, hr);
      std::size_t first = 0;
      double y = head;
      for (std::size_t row = 0; row < t->rows.size(); ++row) {
        const double h = row_height(pdf, *t, l.bands[b], l.widths, row);
        l.heights[b].push_back(h);
        if (y + h > bottom && row > first) {  // a row taller than a page still gets a page of its own
          pages.push_back(PageLayout{t, b, first, row});
          first = row;
          y = head;
        }
        y += h;
      }
      pages.push_back(PageLayout{t, b, first, t->rows.size()});
    }
    laid.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const std::size_t ti = static_cast<std::size_t>(std::find(tables.begin(), tables.end(), pages[i].table) - tables.begin());
    draw_page(pdf, r, pages[i], laid[ti].bands, laid[ti].widths, laid[ti].heights[pages[i].band], static_cast<int>(i + 1),
              static_cast<int>(pages.size()));
  }
  pdf.finish();
  return pdf.status();
}

}  // namespace ejournal::reports
