// The curator's queries about the people of a class: a student's or parent's personal data (opened from its
// sealed record), with their links, and a class's study groups. Rights: the deputies and the director, and
// the curator of the class concerned (for a parent: of one of their children's classes).
#include <algorithm>
#include <boost/json.hpp>

#include "ejournal/projections/accounts.h"
#include "ejournal/projections/roster.h"
#include "query_support.h"

namespace ejournal::server::query {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

bool curates(const Caller& c, ClassId k) {
  return k != 0 && std::find(c.account.curator_of.begin(), c.account.curator_of.end(), k) != c.account.curator_of.end();
}

json::value data_json(const PersonalData& p) {
  return json::object{{"last_name", p.last_name}, {"first_name", p.first_name}, {"patronymic", p.patronymic},
                      {"birth_day", day_json(p.birth_day)}, {"address", p.address}, {"phone", p.phone},
                      {"email", p.email}, {"document", p.document}};
}

// The record's fields, or null with the reason when it cannot be shown.
void put_data(Services& s, DataSubject kind, UserId id, const std::string& sealed, bool erased, json::object& out) {
  out["erased"] = erased;
  if (erased || sealed.empty()) {
    out["data"] = nullptr;
    return;
  }
  auto pd = s.vault.open(kind, id, sealed);
  out["data"] = pd.ok() ? data_json(*pd) : json::value();
  if (!pd.ok() && pd.status().code() != Code::not_found) out["unreadable"] = pd.status().message();
}

Result<json::value> personal_data(Services& s, const Caller& c, Args& a) {
  const auto kind = static_cast<DataSubject>(a.choice("kind", {"", "student", "parent"}));  // as the enum
  const UserId id = a.id("subject");
  const auto as_of = a.timestamp_or_none("as_of");
  if (a.ok() && kind == DataSubject::None) a.fail("kind", "must be student or parent");
  if (!a.ok()) return a.status();
  return on<RosterProjection>(s, "roster", as_of, [&](const RosterProjection& r) -> Result<json::value> {
    json::object out{{"kind", kind == DataSubject::Student ? "student" : "parent"}, {"subject", id}};
    if (kind == DataSubject::Student) {
      const auto st = r.students().find(id);
      if (st == r.students().end()) return Status(Code::not_found, "Нет такого ученика");
      if (!is_manager(c) && !curates(c, st->second.class_id)) return denied();
      put_data(s, kind, id, st->second.sealed, st->second.erased, out);
      out["class_id"] = st->second.class_id;
      out["checked_on"] = day_json(st->second.checked_on);
      json::array parents;
      for (UserId p : st->second.parents) {
        const auto pr = r.parents().find(p);
        const std::string name = pr == r.parents().end() ? "" : person_name(s, DataSubject::Parent, p, pr->second.sealed);
        parents.push_back(json::object{{"id", p}, {"name", name}});
      }
      out["parents"] = std::move(parents);
    } else {
      const auto pr = r.parents().find(id);
      if (pr == r.parents().end()) return Status(Code::not_found, "Нет такого родителя");
      bool allowed = is_manager(c);
      json::array children;
      for (UserId child : pr->second.children) {
        const auto st = r.students().find(child);
        if (st == r.students().end()) continue;
        allowed = allowed || curates(c, st->second.class_id);
        children.push_back(json::object{{"id", child}, {"class_id", st->second.class_id},
                                        {"name", person_name(s, DataSubject::Student, child, st->second.sealed)}});
      }
      if (!allowed) return denied();
      put_data(s, kind, id, pr->second.sealed, pr->second.erased, out);
      out["children"] = std::move(children);
    }
    return json::value(std::move(out));
  });
}

Result<json::value> class_groups(Services& s, const Caller& c, Args& a) {
  const ClassId k = a.id("class_id");
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  if (!is_manager(c) && !curates(c, k) && !c.account.has(Role::Administrator)) return denied();
  return on<RosterProjection>(s, "roster", as_of, [&](const RosterProjection& r) {
    const auto students = r.students_of_class(k);
    json::array out;
    for (const auto& [id, g] : r.groups()) {
      if (g.class_id != k) continue;
      json::array members;
      for (UserId st : students) {
        const auto& groups = r.students().at(st).groups;
        if (std::find(groups.begin(), groups.end(), id) != groups.end()) members.push_back(st);
      }
      out.push_back(json::object{{"id", id}, {"name", g.name}, {"students", std::move(members)}});
    }
    return json::value(std::move(out));
  });
}

// A parent's account by its sign-in name, so that a curator links a family's existing account to a second
// child instead of creating a duplicate parent. A curator learns only that the account is a parent's and the
// classes of its children (to confirm with the family); the name, when the caller may read it.
Result<json::value> find_parent(Services& s, const Caller& c, Args& a) {
  const std::string login = a.text("login");
  if (!a.ok()) return a.status();
  if (!is_manager(c) && c.account.curator_of.empty()) return denied();
  const std::optional<UserId> id = s.host.read<AccountsProjection>("accounts", [&](const AccountsProjection& acc) {
    const Account* x = acc.by_login(login);
    return x != nullptr && x->has(Role::Parent) ? std::optional<UserId>(x->id) : std::nullopt;
  });
  if (!id) return Status(Code::not_found, "Учётной записи родителя с таким логином нет");
  return on<RosterProjection>(s, "roster", std::nullopt, [&](const RosterProjection& r) -> Result<json::value> {
    const auto pr = r.parents().find(*id);
    if (pr == r.parents().end()) return Status(Code::not_found, "Учётной записи родителя с таким логином нет");
    bool may_read = is_manager(c);
    json::array classes;
    for (UserId child : pr->second.children) {
      const auto st = r.students().find(child);
      if (st == r.students().end()) continue;
      may_read = may_read || curates(c, st->second.class_id);
      classes.push_back(st->second.class_id);
    }
    json::object out{{"id", *id}, {"login", login}, {"children_classes", std::move(classes)}};
    out["name"] = may_read && !pr->second.erased ? json::value(person_name(s, DataSubject::Parent, *id, pr->second.sealed)) : json::value();
    return json::value(std::move(out));
  });
}

}  // namespace

const HandlerTable& people_handlers() {
  static const HandlerTable table = {
      {"people.personal_data", personal_data},
      {"roster.groups", class_groups},
      {"people.find_parent", find_parent},
  };
  return table;
}

}  // namespace ejournal::server::query
