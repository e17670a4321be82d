// Accounts, roles and credentials: the administrator's duties (order 5.1), and each user's own password.
#include <algorithm>

#include "domain/decide.h"

namespace ejournal::domain {
namespace {

Status require_admin(const ActorView& a) {
  return a.is(Role::Administrator) ? Status::OK() : forbidden("учётными записями управляет администратор");
}

bool valid_login(const std::string& login) {
  if (login.size() < 3 || login.size() > 64) return false;
  return std::all_of(login.begin(), login.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  });
}

Status check_hash(const std::string& hash) {
  // libsodium's encoded Argon2id string; the plain password never reaches the domain.
  if (hash.rfind("$argon2id$", 0) != 0 || hash.size() > 256) return invalid("Пароль должен быть передан как хэш Argon2id");
  return Status::OK();
}

bool staff_role(Role r) {
  return r == Role::Administrator || r == Role::Director || r == Role::Deputy || r == Role::Teacher;
}

Result<Decision> create_staff_account(const WriteModel& m, const ActorView& a, const cmd::CreateStaffAccount& c) {
  // The system creates the first administrator of an empty school; after that, administrators create accounts.
  const bool bootstrap = a.system() && m.next_user() == 1 && c.role == Role::Administrator;
  if (!bootstrap) {
    if (auto s = require_admin(a); !s.ok()) return s;
  }
  if (!staff_role(c.role)) return invalid("Учётную запись сотрудника можно создать с ролью администратора, директора, заместителя или учителя");
  if (!valid_login(c.login)) return invalid("Логин: 3–64 символа, строчные латинские буквы, цифры, точка, дефис, подчёркивание");
  if (m.user_by_login(c.login) != 0) return refuse(Code::conflict, "Логин «" + c.login + "» уже занят");
  if (auto s = check_text(c.display_name, kMaxName, "Имя сотрудника", true); !s.ok()) return s;
  if (c.curator_of != 0) {
    if (c.role != Role::Teacher) return invalid("Классным руководителем может быть только учитель");
    if (m.class_of(c.curator_of) == nullptr) return not_found("Класс");
  }
  Decision d;
  d.created = m.next_user();
  emit(d, fb::Event::AccountCreated, [&](auto& b) {
    return fb::CreateAccountCreatedDirect(b, d.created, c.login.c_str(), c.role, c.display_name.c_str()).Union();
  });
  if (c.curator_of != 0) {
    emit(d, fb::Event::RoleGranted, [&](auto& b) {
      return fb::CreateRoleGranted(b, d.created, Role::Curator, c.curator_of).Union();
    });
  }
  return d;
}

Result<Decision> grant_role(const WriteModel& m, const ActorView& a, const cmd::GrantRole& c) {
  if (auto s = require_admin(a); !s.ok()) return s;
  const UserState* u = m.user(c.user);
  if (u == nullptr) return not_found("Пользователь");
  if (!staff_role(c.role) && c.role != Role::Curator) return invalid("Эту роль нельзя назначить вручную");
  if (u->has_role(Role::Student) || u->has_role(Role::Parent)) return invalid("Ученику или родителю роли сотрудника не назначаются");
  if (c.role == Role::Curator) {
    if (!u->has_role(Role::Teacher)) return invalid("Классным руководителем может быть только учитель");
    if (m.class_of(c.class_id) == nullptr) return not_found("Класс");
  }
  if (u->has_role(c.role)) return refuse(Code::conflict, "Роль уже назначена");
  Decision d;
  emit(d, fb::Event::RoleGranted, [&](auto& b) {
    return fb::CreateRoleGranted(b, c.user, c.role, c.role == Role::Curator ? c.class_id : 0).Union();
  });
  return d;
}

Result<Decision> revoke_role(const WriteModel& m, const ActorView& a, const cmd::RevokeRole& c) {
  if (auto s = require_admin(a); !s.ok()) return s;
  const UserState* u = m.user(c.user);
  if (u == nullptr) return not_found("Пользователь");
  if (!u->has_role(c.role)) return refuse(Code::conflict, "Этой роли у пользователя нет");
  if (c.user == a.id && c.role == Role::Administrator) return refuse(Code::conflict, "Нельзя снять роль администратора с самого себя");
  Decision d;
  emit(d, fb::Event::RoleRevoked, [&](auto& b) {
    return fb::CreateRoleRevoked(b, c.user, c.role, c.role == Role::Curator ? u->curator_of : 0).Union();
  });
  return d;
}

Result<Decision> issue_credential(const WriteModel& m, const ActorView& a, const cmd::IssueCredential& c) {
  if (auto s = require_admin(a); !s.ok()) return s;
  if (m.user(c.user) == nullptr) return not_found("Пользователь");
  if (auto s = check_hash(c.password_hash); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::CredentialIssued, [&](auto& b) {
    return fb::CreateCredentialIssuedDirect(b, c.user, c.password_hash.c_str(), c.one_time).Union();
  });
  return d;
}

Result<Decision> change_password(const WriteModel& m, const ActorView& a, const cmd::ChangePassword& c) {
  if (c.user != a.id && !a.is(Role::Administrator)) return forbidden("пароль меняет сам пользователь или администратор");
  const UserState* u = m.user(c.user);
  if (u == nullptr) return not_found("Пользователь");
  if (u->blocked) return refuse(Code::forbidden, "Учётная запись заблокирована");
  if (auto s = check_hash(c.password_hash); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::PasswordChanged, [&](auto& b) {
    return fb::CreatePasswordChangedDirect(b, c.user, c.password_hash.c_str()).Union();
  });
  return d;
}

Result<Decision> block(const WriteModel& m, const ActorView& a, UserId user, const std::string& reason, bool blocking) {
  if (auto s = require_admin(a); !s.ok()) return s;
  const UserState* u = m.user(user);
  if (u == nullptr) return not_found("Пользователь");
  if (blocking && user == a.id) return refuse(Code::conflict, "Нельзя заблокировать самого себя");
  if (u->blocked == blocking) return refuse(Code::conflict, blocking ? "Уже заблокирован" : "Не заблокирован");
  if (auto s = check_reason(reason); !s.ok()) return s;
  Decision d;
  if (blocking) {
    emit(d, fb::Event::AccountBlocked, [&](auto& b) { return fb::CreateAccountBlockedDirect(b, user, reason.c_str()).Union(); });
  } else {
    emit(d, fb::Event::AccountUnblocked, [&](auto& b) { return fb::CreateAccountUnblockedDirect(b, user, reason.c_str()).Union(); });
  }
  return d;
}

Result<Decision> record_login(const WriteModel& m, const ActorView& a, const cmd::RecordLogin& c) {
  if (!a.system()) return forbidden("входы записывает сервер");
  if (c.user != 0 && m.user(c.user) == nullptr) return not_found("Пользователь");
  if (c.login.size() > 64 || c.address.size() > 64) return invalid("Слишком длинный логин или адрес");
  Decision d;
  if (c.succeeded) {
    if (c.user == 0) return invalid("Успешный вход без пользователя");
    emit(d, fb::Event::LoginSucceeded, [&](auto& b) {
      return fb::CreateLoginSucceededDirect(b, c.user, c.address.c_str()).Union();
    });
  } else {
    emit(d, fb::Event::LoginFailed, [&](auto& b) {
      return fb::CreateLoginFailedDirect(b, c.user, c.login.c_str(), c.address.c_str()).Union();
    });
  }
  return d;
}

Result<Decision> record_backup(const ActorView& a, const cmd::RecordBackup& c) {
  if (!a.system()) return forbidden("резервные копии записывает сервер");
  if (c.target.empty() || c.target.size() > 1024 || c.month.size() > 7 || c.message.size() > 2000)
    return invalid("Слишком длинное описание резервной копии");
  Decision d;
  emit(d, fb::Event::BackupRecorded, [&](auto& b) {
    return fb::CreateBackupRecordedDirect(b, c.archive, c.target.c_str(), c.succeeded, c.first, c.last, c.bytes,
                                          c.month.c_str(), c.message.c_str())
        .Union();
  });
  return d;
}

}  // namespace

Result<Decision> decide_accounts(const WriteModel& m, const ActorView& a, const Command& c) {
  if (auto* x = std::get_if<cmd::CreateStaffAccount>(&c)) return create_staff_account(m, a, *x);
  if (auto* x = std::get_if<cmd::GrantRole>(&c)) return grant_role(m, a, *x);
  if (auto* x = std::get_if<cmd::RevokeRole>(&c)) return revoke_role(m, a, *x);
  if (auto* x = std::get_if<cmd::IssueCredential>(&c)) return issue_credential(m, a, *x);
  if (auto* x = std::get_if<cmd::ChangePassword>(&c)) return change_password(m, a, *x);
  if (auto* x = std::get_if<cmd::BlockAccount>(&c)) return block(m, a, x->user, x->reason, true);
  if (auto* x = std::get_if<cmd::UnblockAccount>(&c)) return block(m, a, x->user, x->reason, false);
  if (auto* x = std::get_if<cmd::RecordLogin>(&c)) return record_login(m, a, *x);
  if (auto* x = std::get_if<cmd::RecordBackup>(&c)) return record_backup(a, *x);
  return Status(Code::invalid_argument, "not an account command");
}

}  // namespace ejournal::domain
