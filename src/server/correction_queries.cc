// Correction requests (control.corrections): a teacher follows their own — pending, approved, rejected — and
// the deputies and the director see everyone's, to decide the pending ones. Each request names the lesson it
// concerns by day, period, class and subject (from the control projection), so no one has to look it up.
#include <boost/json.hpp>

#include "command_json.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/corrections.h"
#include "paging.h"
#include "query_support.h"

namespace ejournal::server::query {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

const char* state_word(CorrectionState s) {
  switch (s) {
    case CorrectionState::pending: return "pending";
    case CorrectionState::approved: return "approved";
    case CorrectionState::rejected: return "rejected";
  }
  return "?";
}

const char* kind_word(fb::CorrectionKind k) {
  static const char* kWords[] = {"set_mark", "correct_mark", "remove_mark", "set_attendance", "clear_attendance"};
  const auto i = static_cast<std::size_t>(k);
  return i < std::size(kWords) ? kWords[i] : "?";
}

json::object request_json(const CorrectionRequest& r) {
  json::object o{{"id", r.id}, {"term", r.term}, {"kind", kind_word(r.kind)}, {"lesson", r.lesson}, {"student", r.student},
                 {"reason", r.reason}, {"requester", r.requester}, {"requested_at", r.requested_at},
                 {"state", state_word(r.state)}, {"decider", r.decider}, {"decided_at", r.decided_at}, {"answer", r.answer}};
  // Only the fields the kind uses (events.fbs): an unused code must not read as "absent".
  if (r.kind == fb::CorrectionKind::CorrectMark || r.kind == fb::CorrectionKind::RemoveMark) o["mark"] = r.mark;
  if (r.kind == fb::CorrectionKind::SetMark || r.kind == fb::CorrectionKind::CorrectMark) {
    o["value"] = r.value;
    o["work_type"] = r.work_type;
  }
  if (r.kind == fb::CorrectionKind::SetAttendance) o["code"] = attendance_word(r.code);
  return o;
}

Result<json::value> corrections(Services& s, const Caller& c, Args& a) {
  const int state = a.given("state") ? a.choice("state", {"pending", "approved", "rejected"}) : -1;
  const UserId teacher = a.id_or0("teacher");
  Page page(a, 1'000, 10'000, 1);  // by id, oldest first; the cursor: a request id
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  const bool manager = is_manager(c);
  if (!manager && !c.account.has(Role::Teacher)) return denied();
  if (!manager && teacher != 0 && teacher != c.id) return denied();
  const UserId only = manager ? teacher : c.id;  // a teacher sees their own requests
  auto answer = on<CorrectionsProjection>(s, "corrections", as_of, [&](const CorrectionsProjection& p) {
    const RequestId after = page.after() ? static_cast<RequestId>(std::min<std::uint64_t>((*page.after())[0], UINT32_MAX)) : 0;
    for (auto it = p.all().upper_bound(after); it != p.all().end(); ++it) {
      const CorrectionRequest& r = it->second;
      if ((only != 0 && r.requester != only) || (state >= 0 && static_cast<int>(r.state) != state)) continue;
      if (page.full()) {
        page.more();
        break;
      }
      page.add(request_json(r), {r.id});
    }
    return page.result();
  });
  if (!answer.ok()) return answer;
  // Where each request is, from the live control projection (a lesson's day, class and subject never change).
  auto& items = answer->as_object()["items"].as_array();
  s.host.read<ControlProjection>("control", [&](const ControlProjection& p) {
    for (auto& item : items) {
      json::object& o = item.as_object();
      const ControlLesson* l = p.lesson(static_cast<LessonId>(o.at("lesson").to_number<std::uint64_t>()));
      o["lesson_day"] = l != nullptr ? day_json(l->day) : json::value();
      o["period"] = l != nullptr ? l->period : 0;
      o["class_id"] = l != nullptr ? l->class_id : 0;
      o["group"] = l != nullptr ? l->group : 0;
      o["subject"] = l != nullptr ? l->subject : 0;
    }
    return 0;
  });
  return answer;
}

}  // namespace

const HandlerTable& correction_handlers() {
  static const HandlerTable table = {{"control.corrections", corrections}};
  return table;
}

}  // namespace ejournal::server::query
