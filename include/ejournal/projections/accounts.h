// AccountsProjection: what sign-in needs — each account's login, roles (with a curator's classes), current
// password hash, whether that password is one-time, and whether the account is blocked.
// It holds password hashes (Argon2id), never passwords; its snapshots live in the same data directory as the
// log that already holds those hashes.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct Account {
  domain::UserId id = 0;
  std::string login;
  std::string display_name;          // staff only; students' and parents' names are personal data
  std::uint32_t roles = 0;           // bit (1 << Role)
  std::vector<domain::ClassId> curator_of;
  std::string password_hash;         // "" until a credential is issued
  bool one_time = false;             // the password must be changed at the next sign-in
  bool blocked = false;

  bool has(domain::Role r) const { return (roles & (1u << static_cast<unsigned>(r))) != 0; }
};

class AccountsProjection final : public Projection {
 public:
  std::string_view name() const override { return "accounts"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<AccountsProjection>(); }

  // nullptr when there is no such account.
  const Account* by_login(const std::string& login) const;
  const Account* by_id(domain::UserId id) const;
  const std::map<domain::UserId, Account>& all() const { return accounts_; }

 private:
  std::map<domain::UserId, Account> accounts_;
  std::map<std::string, domain::UserId> logins_;
};

}  // namespace ejournal::projections
