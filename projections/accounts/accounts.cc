#include "ejournal/projections/accounts.h"

#include <algorithm>

#include "ejournal/fb/accounts_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"

namespace ejournal::projections {
namespace {

using namespace domain;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }
std::uint32_t bit(Role r) { return domain::role_bit(r); }

}  // namespace

void AccountsProjection::apply(const EventView& ev) {
  using E = fb::Event;
  auto find = [&](UserId id) -> Account* {
    auto it = accounts_.find(id);
    return it == accounts_.end() ? nullptr : &it->second;
  };
  switch (ev.type) {
    case E::AccountCreated: {
      const auto* e = ev.as<fb::AccountCreated>();
      Account& a = accounts_[e->user()];
      a.id = e->user();
      a.login = str(e->login());
      a.display_name = str(e->display_name());
      a.roles |= bit(e->role());
      logins_[a.login] = a.id;
      break;
    }
    case E::RoleGranted: {
      const auto* e = ev.as<fb::RoleGranted>();
      if (Account* a = find(e->user())) {
        a->roles |= bit(e->role());
        if (e->role() == Role::Curator && e->class_id() != 0 &&
            std::find(a->curator_of.begin(), a->curator_of.end(), e->class_id()) == a->curator_of.end())
          a->curator_of.push_back(e->class_id());
      }
      break;
    }
    case E::RoleRevoked: {
      const auto* e = ev.as<fb::RoleRevoked>();
      if (Account* a = find(e->user())) {
        if (e->role() == Role::Curator && e->class_id() != 0) {
          std::erase(a->curator_of, e->class_id());
          if (a->curator_of.empty()) a->roles &= ~bit(Role::Curator);
        } else {
          a->roles &= ~bit(e->role());
        }
      }
      break;
    }
    case E::CredentialIssued: {
      const auto* e = ev.as<fb::CredentialIssued>();
      if (Account* a = find(e->user())) {
        a->password_hash = str(e->password_hash());
        a->one_time = e->one_time();
      }
      break;
    }
    case E::PasswordChanged: {
      const auto* e = ev.as<fb::PasswordChanged>();
      if (Account* a = find(e->user())) {
        a->password_hash = str(e->password_hash());
        a->one_time = false;
      }
      break;
    }
    case E::AccountBlocked:
      if (Account* a = find(ev.as<fb::AccountBlocked>()->user())) a->blocked = true;
      break;
    case E::AccountUnblocked:
      if (Account* a = find(ev.as<fb::AccountUnblocked>()->user())) a->blocked = false;
      break;
    default: break;
  }
}

const Account* AccountsProjection::by_login(const std::string& login) const {
  auto it = logins_.find(login);
  return it == logins_.end() ? nullptr : by_id(it->second);
}

const Account* AccountsProjection::by_id(UserId id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

std::string AccountsProjection::snapshot() const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 16);
  std::vector<flatbuffers::Offset<s::KAccount>> out;
  for (const auto& [id, a] : accounts_)
    out.push_back(s::CreateKAccountDirect(b, id, a.login.c_str(), a.display_name.c_str(), a.roles, &a.curator_of,
                                          a.password_hash.c_str(), a.one_time, a.blocked));
  b.Finish(s::CreateAccountsDirect(b, &out), s::AccountsIdentifier());
  return log::finished_bytes(b);
}

Status AccountsProjection::restore(std::string_view raw) {
  namespace s = fb::snap;
  std::string aligned;
  const s::Accounts* root = log::verified_root<s::Accounts>(raw, s::AccountsIdentifier(), aligned);
  if (root == nullptr) return Status(Code::corruption, "not an accounts snapshot");
  AccountsProjection next;
  if (const auto* list = root->accounts())
    for (const auto* k : *list) {
      Account a{k->id(), str(k->login()), str(k->display_name()), k->roles(), {}, str(k->password_hash()), k->one_time(),
                k->blocked()};
      if (k->curator_of()) a.curator_of.assign(k->curator_of()->begin(), k->curator_of()->end());
      next.logins_[a.login] = a.id;
      next.accounts_[a.id] = std::move(a);
    }
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
