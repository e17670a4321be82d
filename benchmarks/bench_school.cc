#include "bench_school.h"

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "ws_client.h"

#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "ejournal/projections/roster.h"

namespace ejournal::bench {

Result<BenchSchool> build_bench_school(const std::string& data, unsigned students) {
  demo::DemoOptions o;
  o.students = static_cast<int>(students);
  o.issue_credentials = false;
  if (auto built = demo::build_demo_school(data, o); !built.ok()) return built.status();
  auto log = log::open_event_log(data);
  if (!log.ok()) return log.status();
  auto vault = domain::open_vault(data, **log);
  if (!vault.ok()) return vault.status();
  auto dom = domain::Domain::open(**log, **vault);
  if (!dom.ok()) return dom.status();
  projections::HostOptions ho;
  ho.follow = false;
  auto host = projections::ProjectionHost::start(**log, projections::all_projections(), ho);
  if (!host.ok()) return host.status();
  BenchSchool s;
  std::vector<domain::UserId> deputies;
  (*host)->read_raw("roster", [&](const projections::Projection& p) {
    const auto& r = static_cast<const projections::RosterProjection&>(p);
    for (const auto& [id, parent] : r.parents())
      if (!parent.children.empty()) s.families.emplace_back(id, parent.children.front());
    for (const auto& [id, c] : r.classes())
      if (c.grade >= 2) s.marked_classes.insert(id);
    std::set<domain::UserId> seen;
    for (const auto& [id, a] : r.assignments())
      if (!a.ended && a.group == 0 && s.marked_classes.contains(a.class_id) && seen.insert(a.teacher).second)
        s.teacher_ids.push_back(a.teacher);
    for (domain::UserId t : s.teacher_ids) s.teacher_logins.push_back(r.staff().at(t).login);
    for (const auto& [id, staff] : r.staff())
      if ((staff.roles & domain::role_bit(domain::Role::Deputy)) != 0 && !staff.blocked) {
        deputies.push_back(id);
        s.deputy_logins.push_back(staff.login);
      }
  });
  auto hash = domain::hash_password(kBenchPassword);
  if (!hash.ok()) return hash.status();
  std::vector<domain::UserId> users = s.teacher_ids;
  users.insert(users.end(), deputies.begin(), deputies.end());
  for (const auto& [parent, child] : s.families) users.push_back(parent);
  for (domain::UserId u : users)
    if (auto r = (*dom)->execute(1, log::CommandId::random(), domain::cmd::IssueCredential{u, *hash, false}); !r.ok())
      return r.status();
  if (s.families.empty() || s.teacher_ids.empty() || s.deputy_logins.empty())
    return Status(Code::not_found, "the demo school has no families, teachers or deputies to drive");
  return s;
}

std::vector<std::string> sign_in_all(std::uint16_t port, const std::vector<std::string>& logins) {
  namespace json = boost::json;
  std::vector<std::string> tokens(logins.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      testkit::WsClient c(port, "127.0.0." + std::to_string(10 + t));
      for (std::size_t i = next++; i < logins.size(); i = next++) {
        const json::value in = c.call("auth.login", json::object{{"login", logins[i]}, {"password", kBenchPassword}});
        if (in.at("ok").as_bool()) tokens[i] = std::string(in.at("result").at("token").as_string());
      }
    });
  for (auto& t : threads) t.join();
  return tokens;
}

TeacherPage teacher_page(testkit::WsClient& c, domain::UserId teacher, const std::set<std::int64_t>& marked_classes) {
  namespace json = boost::json;
  const json::value as = c.call("roster.assignments", json::object{{"teacher", teacher}});
  const json::value terms = c.call("roster.terms", json::object{});
  if (!as.at("ok").as_bool() || !terms.at("ok").as_bool()) return {};
  const json::array& all_terms = terms.at("result").as_array();
  for (const auto& a : as.at("result").at("items").as_array()) {
    if (a.at("ended").as_bool() || a.at("group").to_number<std::int64_t>() != 0 ||
        !marked_classes.contains(a.at("class_id").to_number<std::int64_t>()))
      continue;
    for (auto it = all_terms.rbegin(); it != all_terms.rend(); ++it) {  // the newest open term first
      const json::value& term = *it;
      if (term.at("closed").as_bool()) continue;
      const json::value page = c.call("journal.page", json::object{{"class_id", a.at("class_id")}, {"subject", a.at("subject")},
                                                                   {"term", term.at("id")}});
      if (!page.at("ok").as_bool()) continue;
      TeacherPage target{a.at("class_id").to_number<std::int64_t>(), a.at("subject").to_number<std::int64_t>(),
                         term.at("id").to_number<std::int64_t>(), {}, {}};
      for (const auto& l : page.at("result").at("lessons").as_array())
        if (l.at("teacher").to_number<std::uint64_t>() == teacher && l.at("held").as_bool())  // not a substitute's
          target.lessons.push_back(l.at("id").to_number<std::uint64_t>());
      for (const auto& r : page.at("result").at("rows").as_array()) target.students.push_back(r.at("student").to_number<std::uint64_t>());
      if (!target.lessons.empty() && !target.students.empty()) return target;
    }
  }
  return {};
}

}  // namespace ejournal::bench
