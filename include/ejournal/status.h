// Status and Result: errors as values that the caller must look at.
//
// Every fallible operation in ejournal returns a Status (no value) or a Result<T> (a value or a Status).
// The code says which kind of failure it is, and stays stable: clients and scripts match on it. The message
// is for a person and may change. Both types are [[nodiscard]]: ignoring one is a compile error under -Werror.
//
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ejournal {

enum class Code {
  ok = 0,
  invalid_argument,   // the request itself is wrong: a bad value, a missing field, too large
  forbidden,          // the actor may not do this
  not_found,          // a named thing does not exist
  conflict,           // the state changed under the request (optimistic concurrency, reused command id)
  term_closed,        // the term is closed; a correction request is needed
  busy,               // a resource is held by someone else (a data directory open in another process)
  unsupported,        // the data is of a kind or version this program does not read
  corruption,         // stored bytes do not match what was written
  io_error,           // the operating system or the storage engine failed
  unavailable,        // the service is shutting down or has failed and refuses new work
  internal,           // a fault in this program (a bug): the request did nothing, and the server goes on
};

// Stable snake_case name of a code, as used in the protocol and in exit messages.
std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "code: message", for logs and command-line output.
  std::string to_string() const;

 private:
  Code code_ = Code::ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor): returning a value is the common path
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result holding a Status must hold an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ejournal
