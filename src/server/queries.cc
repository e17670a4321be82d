#include "queries.h"

#include <array>
#include <boost/json.hpp>
#include <functional>
#include <map>

#include "command_json.h"
#include "paging.h"
#include "query_support.h"
#include "ejournal/log/clock.h"
#include "ejournal/projections/audit.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/school_time.h"
#include "ejournal/projections/stats.h"

namespace ejournal::server {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

using query::day_json;
using query::denied;
using query::on;
using query::journal_part;
using query::person_name;

json::value cell_json(const JournalCell& c) {
  json::object o;
  json::array marks;
  for (const JournalMark& m : c.marks)
    marks.push_back(json::object{{"id", m.id}, {"value", m.value}, {"work_type", m.work_type}, {"comment", m.comment}});
  o["marks"] = std::move(marks);
  if (c.attendance) o["attendance"] = attendance_word(*c.attendance);
  o["version"] = c.version;
  return o;
}

json::object lesson_json(const JournalLesson& l) {
  return json::object{{"id", l.id},           {"day", format_day(l.day)},  {"period", l.period},
                      {"topic", l.topic},     {"homework", l.homework},    {"homework_due", day_json(l.homework_due)},
                      {"teacher", l.teacher}, {"substituted", l.substituted}, {"held", l.held},
                      {"not_held_reason", l.not_held_reason}};
}

json::value audit_entry_json(const AuditEntry& e) {
  static const char* kinds[] = {"mark_set", "mark_corrected", "mark_removed", "attendance_set", "attendance_cleared",
                                "topic_set", "homework_set", "attestation_set", "personal_data_recorded", "personal_data_erased",
                                "backup_recorded"};
  static_assert(std::size(kinds) == projections::kAuditKinds, "a word for every audit kind");
  return json::object{{"position", e.position}, {"recorded_at", e.recorded_at}, {"actor", e.actor},
                      {"kind", kinds[static_cast<int>(e.kind)]}, {"lesson", e.lesson}, {"student", e.student},
                      {"class_id", e.class_id}, {"subject", e.subject}, {"lesson_day", day_json(e.lesson_day)},
                      {"before", e.before}, {"after", e.after}, {"reason", e.reason},
                      {"after_term_closed", e.after_term_closed}};
}

json::value late_json(const LateEntry& e) {
  return json::object{{"mark", e.mark}, {"lesson", e.lesson}, {"student", e.student}, {"teacher", e.teacher},
                      {"lesson_day", format_day(e.lesson_day)}, {"entered_day", format_day(e.entered_day)},
                      {"days_late", e.days_late()}};
}

// The deputy's latest review of a lesson's homework, or null.
json::value review_json(const ControlLesson& l) {
  if (l.reviews.empty()) return nullptr;
  const HomeworkReview& r = l.reviews.back();
  return json::object{{"deputy", r.deputy}, {"day", format_day(r.day)}, {"conforms", r.conforms}, {"comment", r.comment}};
}

json::value ids_json(const std::vector<LessonId>& ids) { return json::value_from(ids); }

json::value control_json(const TeacherControl& t) {
  json::array late;
  for (const LateEntry& e : t.late_marks) late.push_back(late_json(e));
  return json::object{{"teacher", t.teacher}, {"lessons", t.lessons}, {"without_topic", ids_json(t.without_topic)},
                      {"register_not_taken", ids_json(t.register_not_taken)},
                      {"without_homework", ids_json(t.without_homework)}, {"late_marks", std::move(late)},
                      {"max_days_late", t.max_days_late}, {"reviews", t.reviews},
                      {"reviews_not_conforming", t.reviews_not_conforming}};
}

Day today() { return school_day(log::SystemClock().now()); }

// A query of projection `name` for the deputies and the director, live or as of a time.
// `part`: for a partitioned projection, the one part fn reads (projection.h).
template <typename P, typename F>
Result<json::value> managers_only(Services& s, const Caller& c, Args& a, std::string_view name, F&& fn,
                                  Projection::PartKey part = Projection::kAllParts) {
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  if (!is_manager(c)) return denied();
  return on<P>(s, name, as_of, std::forward<F>(fn), part);
}

// Adds "student_name" to each audit item that concerns a person: a student's or a parent's name, opened from
// the roster's sealed record ("" once erased). The roster is read apart from the audit: one lock at a time.
void name_people(Services& s, json::array& items) {
  std::map<UserId, std::pair<DataSubject, std::string>> sealed;
  for (const auto& item : items)
    if (const auto id = static_cast<UserId>(item.at("student").to_number<std::uint64_t>()); id != 0) sealed[id];
  if (!sealed.empty()) s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
    for (auto& [id, who] : sealed) {
      if (auto st = r.students().find(id); st != r.students().end()) who = {DataSubject::Student, st->second.sealed};
      else if (auto pa = r.parents().find(id); pa != r.parents().end()) who = {DataSubject::Parent, pa->second.sealed};
    }
    return 0;
  });
  std::map<UserId, std::string> names;
  for (const auto& [id, who] : sealed) names[id] = who.second.empty() ? std::string() : person_name(s, who.first, id, who.second);
  for (auto& item : items) {
    const auto id = static_cast<UserId>(item.at("student").to_number<std::uint64_t>());
    item.as_object()["student_name"] = id != 0 ? json::value(names[id]) : json::value();
  }
}

// An audit query: `select` picks the entries recorded up to a position, in position order; they are answered
// newest first, a page at a time (paging.h; the cursor is a position: the next page is older). As of a time,
// the bound is the last position recorded by then: the audit's past is a prefix of its live entries (audit.h),
// so no past state is rebuilt.
Result<json::value> audit_query(Services& s, const Caller& c, Args& a,
                                const std::function<std::vector<AuditEntry>(const AuditProjection&, log::Position)>& select) {
  Page page(a, 1'000, 10'000, 1);
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  if (!is_manager(c)) return denied();
  log::Position upto = AuditProjection::kAll;
  if (as_of) {
    auto at = s.log.position_at(*as_of);
    if (!at.ok()) return at.status();
    upto = *at;
  }
  if (page.after()) upto = std::min<log::Position>(upto, (*page.after())[0] == 0 ? 0 : (*page.after())[0] - 1);
  auto answer = on<AuditProjection>(s, "audit", std::nullopt, [&](const AuditProjection& p) {
    const std::vector<AuditEntry> entries = upto == 0 ? std::vector<AuditEntry>() : select(p, upto);
    for (std::size_t i = entries.size(); i-- > 0;) {
      if (page.full()) {
        page.more();
        break;
      }
      page.add(audit_entry_json(entries[i]), {entries[i].position});
    }
    return page.result();
  });
  if (!answer.ok()) return answer;
  name_people(s, answer->as_object()["items"].as_array());
  return answer;
}

bool has(const Caller& c, Role r) { return c.account.has(r); }

const query::HandlerTable& handlers() {
  static const query::HandlerTable table = {
      {"me", [](Services& s, const Caller& c, Args&) -> Result<json::value> { return describe_caller(s, c); }},

      // ------------------------------------------------------------------ roster
      {"roster.classes", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         if (has(c, Role::Student) || has(c, Role::Parent)) return denied();
         return on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [](const RosterProjection& r) {
           json::array out;
           for (const auto& [id, k] : r.classes())
             out.push_back(json::object{{"id", id}, {"year", k.year}, {"grade", k.grade}, {"name", k.name}, {"curator", k.curator}});
           return json::value(out);
         });
       }},
      {"roster.subjects", [](Services& s, const Caller&, Args& a) -> Result<json::value> {
         return on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [](const RosterProjection& r) {
           json::array out;
           for (const auto& [id, x] : r.subjects()) out.push_back(json::object{{"id", id}, {"name", x.name}, {"short_name", x.short_name}});
           return json::value(out);
         });
       }},
      {"roster.terms", [](Services& s, const Caller&, Args& a) -> Result<json::value> {
         return on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [](const RosterProjection& r) {
           json::array out;
           for (const auto& [id, t] : r.terms())
             out.push_back(json::object{{"id", id}, {"year", t.year}, {"name", t.name}, {"first_day", format_day(t.first_day)},
                                        {"last_day", format_day(t.last_day)}, {"grade_from", t.grade_from}, {"grade_to", t.grade_to},
                                        {"closed", t.closed}});
           return json::value(out);
         });
       }},
      {"roster.work_types", [](Services& s, const Caller&, Args& a) -> Result<json::value> {
         return on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [](const RosterProjection& r) {
           json::array out;
           for (const auto& [id, w] : r.work_types()) out.push_back(json::object{{"id", id}, {"name", w.name}, {"weight", w.weight}});
           return json::value(out);
         });
       }},
      {"roster.staff", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         if (has(c, Role::Student) || has(c, Role::Parent)) return denied();
         return on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [](const RosterProjection& r) {
           json::array out;
           for (const auto& [id, x] : r.staff()) {
             json::array roles;
             for (int role = 1; role <= 7; ++role)
               if ((x.roles & (1u << role)) != 0) roles.push_back(json::string(role_word(static_cast<Role>(role))));
             out.push_back(json::object{{"id", id}, {"login", x.login}, {"name", x.name}, {"roles", roles}, {"blocked", x.blocked}});
           }
           return json::value(out);
         });
       }},
      {"roster.assignments", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         if (has(c, Role::Student) || has(c, Role::Parent)) return denied();
         const UserId teacher = a.id_or0("teacher");
         Page page(a, 1'000, 10'000, 1);
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         return on<RosterProjection>(s, "roster", as_of, [&](const RosterProjection& r) {
           const std::uint64_t after = page.after() ? (*page.after())[0] : 0;
           for (auto it = r.assignments().upper_bound(static_cast<AssignmentId>(std::min<std::uint64_t>(after, UINT32_MAX)));
                it != r.assignments().end(); ++it) {
             const auto& [id, x] = *it;
             if (teacher != 0 && x.teacher != teacher) continue;
             if (page.full()) {
               page.more();
               break;
             }
             page.add(json::object{{"id", id}, {"teacher", x.teacher}, {"class_id", x.class_id}, {"group", x.group},
                                   {"subject", x.subject}, {"ended", x.ended}},
                      {id});
           }
           return page.result();
         });
       }},
      {"roster.class", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const ClassId k = a.id("class_id");
         if (!a.ok()) return a.status();
         const bool allowed = is_manager(c) || has(c, Role::Administrator) ||
                              std::find(c.account.curator_of.begin(), c.account.curator_of.end(), k) != c.account.curator_of.end() ||
                              (has(c, Role::Teacher) && s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
                                 for (const auto& [id, x] : r.assignments())
                                   if (x.teacher == c.id && x.class_id == k && !x.ended) return true;
                                 return false;
                               }));
         if (!allowed) return denied();
         auto answer = on<RosterProjection>(s, "roster", a.timestamp_or_none("as_of"), [&](const RosterProjection& r) {
           json::array out;
           for (UserId id : r.students_of_class(k)) {
             const RosterStudent& st = r.students().at(id);
             json::array groups;
             for (GroupId g : st.groups) groups.push_back(g);
             out.push_back(json::object{{"id", id}, {"name", person_name(s, DataSubject::Student, id, st.sealed)},
                                        {"groups", groups}, {"parents", json::value_from(st.parents)},
                                        {"checked_on", day_json(st.checked_on)}});
           }
           return json::value(out);
         });
         if (!answer.ok()) return answer;
         // The sign-in names of the students and their parents (not personal data), from the accounts.
         s.host.read<projections::AccountsProjection>("accounts", [&](const projections::AccountsProjection& acc) {
           auto login_of = [&](UserId u) {
             const projections::Account* x = acc.by_id(u);
             return x != nullptr ? json::value(x->login) : json::value();
           };
           auto blocked = [&](UserId u) {
             const projections::Account* x = acc.by_id(u);
             return x != nullptr && x->blocked;
           };
           for (auto& v : answer->as_array()) {
             json::object& o = v.as_object();
             const auto id = static_cast<UserId>(o.at("id").to_number<std::uint64_t>());
             o["login"] = login_of(id);
             o["blocked"] = blocked(id);
             json::array parents;
             for (const auto& p : o.at("parents").as_array()) {
               const auto pid = static_cast<UserId>(p.to_number<std::uint64_t>());
               parents.push_back(json::object{{"id", pid}, {"login", login_of(pid)}, {"blocked", blocked(pid)}});
             }
             o["parent_accounts"] = std::move(parents);
           }
           return 0;
         });
         return answer;
       }},

      // ------------------------------------------------------------------ journal and diary
      {"journal.page", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const ClassId k = a.id("class_id");
         const GroupId g = a.id_or0("group");
         const SubjectId subj = a.id("subject");
         const TermId term = a.id("term");
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!may_read_journal(s, c, k, g, subj)) return denied();
         auto answer = on<JournalProjection>(s, "journal", as_of, [&](const JournalProjection& j) -> Result<json::value> {
           auto page = j.page(k, g, subj, term);
           if (!page.ok()) return page.status();
           json::array lessons, rows;
           for (const JournalLesson& l : page->lessons) lessons.push_back(lesson_json(l));
           for (const JournalRow& r : page->rows) {
             json::array cells;
             for (const JournalCell& cell : r.cells) cells.push_back(cell_json(cell));
             json::object row{{"student", r.student}, {"cells", std::move(cells)},
                              {"joined", day_json(r.joined)}, {"left", day_json(r.left)}};
             row["average"] = r.average ? json::value(*r.average) : json::value();
             row["term_mark"] = r.term_mark ? json::value(attestation_word(*r.term_mark)) : json::value();
             row["year_mark"] = r.year_mark ? json::value(attestation_word(*r.year_mark)) : json::value();
             row["exam_mark"] = r.exam_mark ? json::value(attestation_word(*r.exam_mark)) : json::value();
             row["final_mark"] = r.final_mark ? json::value(attestation_word(*r.final_mark)) : json::value();
             rows.push_back(std::move(row));
           }
           return json::value(json::object{{"lessons", std::move(lessons)}, {"rows", std::move(rows)}});
         }, journal_part(s, [&](const JournalProjection& j) { return j.year_of_class(k); }));
         if (!answer.ok()) return answer;
         // Each row's name, from the roster's sealed records (read apart from the journal: one lock at a
         // time). Students who left the class are on its page too, so the class list cannot name them all.
         auto& rows = answer->as_object()["rows"].as_array();
         std::vector<std::string> sealed(rows.size());
         s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
           for (std::size_t i = 0; i < rows.size(); ++i)
             if (auto st = r.students().find(static_cast<UserId>(rows[i].at("student").to_number<std::uint64_t>())); st != r.students().end())
               sealed[i] = st->second.sealed;
           return 0;
         });
         for (std::size_t i = 0; i < rows.size(); ++i) {
           const auto id = static_cast<UserId>(rows[i].at("student").to_number<std::uint64_t>());
           rows[i].as_object()["name"] = person_name(s, DataSubject::Student, id, sealed[i]);
         }
         // Each lesson's homework review by a deputy, so that it reaches the teacher. From the live control
         // state only: an answer as of a past time carries none (null).
         s.host.read<ControlProjection>("control", [&](const ControlProjection& p) {
           for (auto& l : answer->as_object()["lessons"].as_array()) {
             const ControlLesson* cl = as_of ? nullptr : p.lesson(static_cast<LessonId>(l.at("id").to_number<std::uint64_t>()));
             l.as_object()["review"] = cl != nullptr ? review_json(*cl) : json::value();
           }
           return 0;
         });
         return answer;
       }},
      {"diary.week", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const UserId student = a.id("student");
         const Day monday = a.day("monday");
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!may_read_diary(s, c, student)) return denied();
         return on<JournalProjection>(s, "journal", as_of, [&](const JournalProjection& j) -> Result<json::value> {
           auto week = j.diary(student, monday);
           if (!week.ok()) return week.status();
           json::array lessons, terms;
           for (const DiaryLesson& d : week->lessons) {
             json::object l = lesson_json(d.lesson);
             l["subject"] = d.subject;
             l["cell"] = cell_json(d.cell);
             lessons.push_back(std::move(l));
           }
           for (const auto& [subject, v] : week->term_marks) terms.push_back(json::object{{"subject", subject}, {"value", attestation_word(v)}});
           return json::value(json::object{{"monday", format_day(week->monday)}, {"lessons", std::move(lessons)}, {"term_marks", std::move(terms)}});
         }, journal_part(s, [&](const JournalProjection& j) { return j.year_of_week(student, monday); }));
       }},
      {"diary.chart", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const UserId student = a.id("student");
         const SubjectId subject = a.id("subject");
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!may_read_diary(s, c, student)) return denied();
         return on<JournalProjection>(s, "journal", as_of, [&](const JournalProjection& j) {
           json::array out;
           for (const ChartPoint& p : j.marks_over_time(student, subject))
             out.push_back(json::object{{"day", format_day(p.day)}, {"value", p.value}, {"work_type", p.work_type}});
           return json::value(out);
         });
       }},

      // ------------------------------------------------------------------ audit (deputies, director)
      {"audit.cell", [](Services& s, const Caller& c, Args& a) {
         const LessonId l = a.id("lesson");
         const UserId st = a.id("student");
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.by_cell(l, st, upto); });
       }},
      {"audit.student", [](Services& s, const Caller& c, Args& a) {
         const UserId st = a.id("student");
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.by_student(st, upto); });
       }},
      {"audit.actor", [](Services& s, const Caller& c, Args& a) {
         const UserId who = a.id_or0("actor");  // 0: the server itself (sign-ins, backups)
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.by_actor(who, upto); });
       }},
      {"audit.class_subject", [](Services& s, const Caller& c, Args& a) {
         const ClassId k = a.id("class_id");
         const SubjectId subj = a.id("subject");
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.by_class_subject(k, subj, upto); });
       }},
      {"audit.changes", [](Services& s, const Caller& c, Args& a) {
         const ClassId k = a.id("class_id");
         const SubjectId subj = a.id("subject");
         const auto from = a.timestamp_or_none("from");
         const auto to = a.timestamp_or_none("to");
         if (a.ok() && (!from || !to)) a.fail(!from ? "from" : "to", "обязательно");
         const log::Timestamp t1 = from.value_or(0), t2 = to.value_or(0);
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.changes(k, subj, t1, t2, upto); });
       }},
      {"audit.after_close", [](Services& s, const Caller& c, Args& a) {
         return audit_query(s, c, a, [](const AuditProjection& p, log::Position upto) { return p.after_term_closed(upto); });
       }},
      {"audit.late", [](Services& s, const Caller& c, Args& a) {
         const int days = static_cast<int>(a.integer("days", 0, 3650));
         return audit_query(s, c, a, [&](const AuditProjection& p, log::Position upto) { return p.late(days, upto); });
       }},

      // ------------------------------------------------------------------ control (deputies, director; a teacher sees own)
      {"control.teacher", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const UserId t = a.id("teacher");
         const Day from = a.day("from"), to = a.day("to"), now = a.day_or("today", today());
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!is_manager(c) && c.id != t) return denied();
         return on<ControlProjection>(s, "control", as_of, [&](const ControlProjection& p) { return control_json(p.teacher(t, from, to, now)); },
                                      ControlProjection::part_of(from, to));
       }},
      {"control.day", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const UserId t = a.id("teacher");
         const Day day = a.day_or("day", today());
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!is_manager(c) && c.id != t) return denied();
         return on<ControlProjection>(s, "control", as_of, [&](const ControlProjection& p) {
           json::array out;
           for (const ControlLesson& l : p.day_of(t, day))
             out.push_back(json::object{{"lesson", l.id}, {"day", format_day(l.day)}, {"period", l.period}, {"class_id", l.class_id},
                                        {"group", l.group}, {"subject", l.subject}, {"teacher", l.teacher},
                                        {"substitute", l.substitute}, {"held", l.held}, {"reason", l.reason},
                                        {"topic_set", l.topic_day != 0}, {"register_taken", l.register_day != 0},
                                        {"homework_set", l.homework_day != 0}, {"review", review_json(l)}});
           return json::value(out);
         }, ControlProjection::part_of(day, day));
       }},
      {"control.lesson_details", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         // The lessons behind a control count (control.overview and control.teacher give their ids).
         const json::array* ids = nullptr;
         if (const json::value* v = a.raw("lessons"); v != nullptr && v->is_array() && v->as_array().size() <= 2000) ids = &v->as_array();
         if (ids == nullptr) return Status(Code::invalid_argument, "Поле «lessons»: ожидается массив номеров уроков (не больше 2000)");
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) -> Result<json::value> {
           json::array out;
           for (const json::value& id : *ids) {
             if (!id.is_int64() || id.as_int64() <= 0 || id.as_int64() > UINT32_MAX)
               return Status(Code::invalid_argument, "Поле «lessons»: номера уроков — целые положительные числа");
             const ControlLesson* l = p.lesson(static_cast<LessonId>(id.as_int64()));
             if (l == nullptr) continue;
             out.push_back(json::object{{"lesson", l->id}, {"day", format_day(l->day)}, {"period", l->period}, {"class_id", l->class_id},
                                        {"group", l->group}, {"subject", l->subject}, {"teacher", l->teacher},
                                        {"substitute", l->substitute}, {"held", l->held}, {"topic_set", l->topic_day != 0},
                                        {"register_taken", l->register_day != 0}, {"homework_set", l->homework_day != 0}});
           }
           return json::value(out);
         });
       }},
      {"control.lessons_on", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const Day day = a.day("day");
         const ClassId k = a.id_or0("class_id");
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) {
           json::array out;
           for (const ControlLesson& l : p.lessons_on(day))
             if (k == 0 || l.class_id == k)
               out.push_back(json::object{{"lesson", l.id}, {"day", format_day(l.day)}, {"period", l.period}, {"class_id", l.class_id},
                                          {"group", l.group}, {"subject", l.subject}, {"teacher", l.teacher},
                                          {"substitute", l.substitute}, {"held", l.held}, {"reason", l.reason}});
           return json::value(out);
         }, ControlProjection::part_of(day, day));
       }},
      {"control.overview", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const Day from = a.day("from"), to = a.day("to"), now = a.day_or("today", today());
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) {
           json::array out;
           for (const TeacherControl& t : p.overview(from, to, now)) out.push_back(control_json(t));
           return json::value(out);
         }, ControlProjection::part_of(from, to));
       }},
      {"control.register", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const Day from = a.day("from"), to = a.day("to");
         Page page(a, 1'000, 10'000, 3);  // the cursor: day (days since 1970), period, lesson
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) {
           for (const ControlLesson& l : p.missed_and_substituted(from, to)) {
             const std::vector<std::uint64_t> place{static_cast<std::uint64_t>(l.day), static_cast<std::uint64_t>(l.period), l.id};
             if (page.after() && place <= *page.after()) continue;
             if (page.full()) {
               page.more();
               break;
             }
             page.add(json::object{{"lesson", l.id}, {"day", format_day(l.day)}, {"period", l.period}, {"class_id", l.class_id},
                                   {"group", l.group}, {"subject", l.subject}, {"teacher", l.teacher},
                                   {"substitute", l.substitute}, {"held", l.held}, {"reason", l.reason}},
                      place);
           }
           return page.result();
         }, ControlProjection::part_of(from, to));
       }},
      {"control.late_marks", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const int days = static_cast<int>(a.integer("days", 0, 3650));
         Page page(a, 1'000, 10'000, 1);  // the cursor: a mark id (marks are listed in log order, ids rise with it)
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) {
           for (const LateEntry& e : p.late_marks(days)) {
             if (page.after() && e.mark <= (*page.after())[0]) continue;
             if (page.full()) {
               page.more();
               break;
             }
             page.add(late_json(e), {e.mark});
           }
           return page.result();
         });
       }},
      {"control.time_sheet", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const Day from = a.day("from"), to = a.day("to");
         return managers_only<ControlProjection>(s, c, a, "control", [&](const ControlProjection& p) {
           json::array out;
           for (const TimeSheetRow& r : p.time_sheet(from, to)) {
             json::array hours;
             for (const auto& [day, n] : r.hours_by_day) hours.push_back(json::object{{"day", format_day(day)}, {"hours", n}});
             out.push_back(json::object{{"teacher", r.teacher}, {"given", r.given}, {"substitutions", r.substitutions},
                                        {"missed", r.missed}, {"hours_by_day", std::move(hours)}});
           }
           return json::value(out);
         }, ControlProjection::part_of(from, to));
       }},

      // ------------------------------------------------------------------ statistics (administrator, deputies, director)
      {"stats.summary", [](Services& s, const Caller& c, Args& a) -> Result<json::value> {
         const Day from = a.day_or("from", today() - 30), to = a.day_or("to", today());
         const auto as_of = a.timestamp_or_none("as_of");
         if (!a.ok()) return a.status();
         if (!is_manager(c) && !has(c, Role::Administrator)) return denied();
         return on<StatsProjection>(s, "stats", as_of, [&](const StatsProjection& p) {
           const AccountStats acc = p.accounts();
           json::object roles;
           for (const auto& [role, n] : acc.by_role) roles[role_word(role)] = n;
           json::array days, users;
           for (const DayStats& d : p.days(from, to))
             days.push_back(json::object{{"day", format_day(d.day)}, {"events", d.events}, {"logins", d.logins}, {"failed_logins", d.failed_logins}, {"marks", d.marks}, {"absences", d.absences}});
           for (const auto& [user, n] : p.events_by_user(20)) users.push_back(json::object{{"user", user}, {"events", n}});
           const LogStats& l = p.log_size();
           return json::value(json::object{{"accounts", json::object{{"total", acc.total}, {"blocked", acc.blocked}, {"by_role", roles}}},
                                           {"days", days}, {"busiest_users", users},
                                           {"log", json::object{{"events", l.events}, {"stored_bytes", l.stored_bytes}, {"head", l.head}}}});
         });
       }},
  };
  return table;
}

}  // namespace

bool is_manager(const Caller& c) { return c.account.has(Role::Deputy) || c.account.has(Role::Director); }

bool may_read_journal(Services& s, const Caller& c, ClassId k, GroupId g, SubjectId subj) {
  if (is_manager(c)) return true;
  if (std::find(c.account.curator_of.begin(), c.account.curator_of.end(), k) != c.account.curator_of.end()) return true;
  if (!c.account.has(Role::Teacher)) return false;
  // The caller's assignments of that journal, then whether one of them is current (an ended assignment
  // ends its rights; the roster knows which ended). One projection's lock at a time.
  const std::vector<AssignmentId> mine = s.host.read<JournalProjection>("journal", [&](const JournalProjection& j) {
    std::vector<AssignmentId> out;
    if (const auto* ids = j.assignments_of(k, g, subj))
      for (AssignmentId id : *ids)
        if (const auto* as = j.assignment(id); as != nullptr && as->teacher == c.id) out.push_back(id);
    return out;
  });
  if (mine.empty()) return false;
  return s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
    for (AssignmentId id : mine)
      if (auto it = r.assignments().find(id); it != r.assignments().end() && !it->second.ended) return true;
    return false;
  });
}

bool may_read_diary(Services& s, const Caller& c, UserId student) {
  if (c.id == student && c.account.has(Role::Student)) return true;
  if (is_manager(c)) return true;
  return s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
    auto it = r.students().find(student);
    if (it == r.students().end()) return false;
    const RosterStudent& st = it->second;
    if (std::find(st.parents.begin(), st.parents.end(), c.id) != st.parents.end()) return true;
    if (std::find(c.account.curator_of.begin(), c.account.curator_of.end(), st.class_id) != c.account.curator_of.end()) return true;
    if (!c.account.has(Role::Teacher)) return false;
    for (const auto& [id, a] : r.assignments())
      if (a.teacher == c.id && !a.ended && a.class_id == st.class_id &&
          (a.group == 0 || std::find(st.groups.begin(), st.groups.end(), a.group) != st.groups.end()))
        return true;
    return false;
  });
}

json::value describe_caller(Services& s, const Caller& c) {
  json::array roles;
  for (int r = 1; r <= 7; ++r)
    if (c.account.has(static_cast<Role>(r))) roles.push_back(json::string(role_word(static_cast<Role>(r))));
  json::object out{{"user", c.id}, {"login", c.account.login}, {"name", c.account.display_name}, {"roles", roles},
                   {"curator_of", json::value_from(c.account.curator_of)}, {"must_change_password", c.account.one_time}};
  s.host.read<RosterProjection>("roster", [&](const RosterProjection& r) {
    if (auto st = r.students().find(c.id); st != r.students().end()) {
      out["class_id"] = st->second.class_id;
      out["name"] = person_name(s, DataSubject::Student, c.id, st->second.sealed);
    }
    if (auto p = r.parents().find(c.id); p != r.parents().end()) {
      out["name"] = person_name(s, DataSubject::Parent, c.id, p->second.sealed);
      json::array children;
      for (UserId child : p->second.children) {
        auto st = r.students().find(child);
        if (st == r.students().end()) continue;
        children.push_back(json::object{{"id", child}, {"class_id", st->second.class_id},
                                        {"name", person_name(s, DataSubject::Student, child, st->second.sealed)}});
      }
      out["children"] = std::move(children);
    }
    return 0;
  });
  return out;
}

namespace query {

json::value day_json(Day d) { return d == 0 ? json::value() : json::value(format_day(d)); }

std::string full_name(const PersonalData& p) {
  std::string n = p.last_name + " " + p.first_name;
  if (!p.patronymic.empty()) n += " " + p.patronymic;
  return n;
}

std::string person_name(Services& s, DataSubject kind, UserId id, const std::string& sealed) {
  if (sealed.empty()) return {};
  auto pd = s.vault.open(kind, id, sealed);
  if (pd.ok()) return full_name(*pd);
  // Erased: the name is gone by design. Anything else is damage, and must not look like a blank name.
  return pd.status().code() == Code::not_found ? std::string() : std::string(domain::kUnreadableName);
}

}  // namespace query

// Every query's handler table, one per file that answers queries.
const std::array<const query::HandlerTable*, 6>& tables() {
  static const std::array<const query::HandlerTable*, 6> all = {&handlers(), &query::people_handlers(),
                                                                &query::correction_handlers(), &query::stats_handlers(),
                                                                &query::setup_handlers(), &query::report_handlers()};
  return all;
}

bool is_query_op(std::string_view op) {
  for (const query::HandlerTable* table : tables())
    if (table->contains(op)) return true;
  return false;
}

std::vector<std::string> query_ops() {
  std::vector<std::string> out;
  for (const query::HandlerTable* table : tables())
    for (const auto& [name, handler] : *table) out.push_back(name);
  return out;
}

std::optional<Result<json::value>> run_query(Services& services, const Caller& caller, std::string_view op, Args& args) {
  for (const query::HandlerTable* table : tables()) {
    auto it = table->find(op);
    if (it == table->end()) continue;
    Result<json::value> answer = it->second(services, caller, args);
    // An argument that failed to parse is refused even where a handler went on without looking.
    if (!args.ok()) return Result<json::value>(args.status());
    return answer;
  }
  return std::nullopt;
}

}  // namespace ejournal::server
