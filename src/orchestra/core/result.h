#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace orchestra {

// What went wrong, coarsely; the message says exactly what and where.
enum class ErrorCode {
  kInvalidArgument,   // caller's input is malformed (bad schema, bad flag value)
  kParse,             // bytes that are not the expected format
  kNotFound,          // a named thing does not exist
  kDeadline,          // the deadline passed before the work finished
  kUnavailable,       // a peer could not be reached or refused (connect failure, 5xx)
  kMalformedAnswer,   // a peer answered, but not in the agreed shape
  kSchemaViolation,   // a document does not satisfy a schema
  kDependencyFailed,  // work skipped because something it needs failed
  kIo,                // local file or database failure
  kInternal,          // a bug: an invariant did not hold
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  // "<code name>: <message>", for logs and user-facing output.
  std::string ToString() const;
};

// A value or the Error explaining why there is none. The data plane returns this instead
// of throwing. Accessing value() on an error (or error() on a value) is a bug and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that produces nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace orchestra
