// weft::Shared<T>: a variable several tasks share, made visible to the model checker.
//
// The simulator switches tasks only at scheduling points (awaits, sync operations), and the
// checker's search reasons about what each step touches. A plain `int balance` read in one
// task and written in another is invisible to it: the checker sees the awaits around the
// accesses, not the accesses. Declaring it `weft::Shared<int> balance{100, "balance"}` makes
// every load and store a record of the trace (an `access` record: the variable, read or
// write, the source line), so that
//   - the search knows which steps touch state other tasks touch (surw weighs those steps,
//     pos re-samples the steps that race, dpor reverses the races -- and never two reads),
//   - reports, trace dumps and pictures show who read and wrote what, named.
//
// An access is NOT a scheduling point: a program runs the same schedule with or without
// Shared (the same decisions, the same findings), only its trace has more to say. Like a
// variable of the original program, between two scheduling points a task's accesses are
// atomic in simulation; on real threads a Shared<T> is a plain T (guard it with a weft
// Mutex, or keep it on one executor, as you would the T). With no simulator (or tracing
// off) an access costs one predictable branch.
//
//   weft::Shared<int> balance{100, "balance"};
//   int seen = balance.load();
//   co_await step();
//   balance.store(seen + 50);          // a lost update when another task wrote in between
//   balance.fetch_add(50);             // read and write in one access (a write)
//   balance.update([](int& b) { b *= 2; });
#pragma once

#include <concepts>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/platform.hpp"

namespace weft {

namespace detail {
// A fresh object id for a variable and, when tracing, its object_create record.
ObjectId register_variable(Platform& p, std::string_view name, const std::source_location& where);
// The access record (call only when p.tracing()).
void emit_access(Platform& p, ObjectId id, VariableAccess a, const std::source_location& where);
}  // namespace detail

template <class T>
class Shared {
 public:
  // `name` is optional ("balance"); the declaration site is recorded either way.
  explicit Shared(T initial = T{}, std::string_view name = {},
                  std::source_location where = std::source_location::current())
      : p_(&current_platform()), id_(detail::register_variable(*p_, name, where)), name_(name),
        value_(std::move(initial)) {}
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  // A read: a copy of the value.
  T load(std::source_location where = std::source_location::current()) const
    requires std::copy_constructible<T>
  {
    note(VariableAccess::read, where);
    return value_;
  }
  // A write.
  void store(T v, std::source_location where = std::source_location::current()) {
    note(VariableAccess::write, where);
    value_ = std::move(v);
  }
  // A write that returns the old value.
  T exchange(T v, std::source_location where = std::source_location::current()) {
    note(VariableAccess::write, where);
    return std::exchange(value_, std::move(v));
  }
  // Read-modify-write in one access (a write): returns the old value.
  T fetch_add(T d, std::source_location where = std::source_location::current())
    requires std::is_arithmetic_v<T>
  {
    note(VariableAccess::write, where);
    T old = value_;
    value_ = T(value_ + d);
    return old;
  }
  T fetch_sub(T d, std::source_location where = std::source_location::current())
    requires std::is_arithmetic_v<T>
  {
    note(VariableAccess::write, where);
    T old = value_;
    value_ = T(value_ - d);
    return old;
  }
  // A read through `f(const T&)`, for values not worth copying (a string's size): f's result.
  template <class F>
  decltype(auto) read(F&& f, std::source_location where = std::source_location::current()) const {
    note(VariableAccess::read, where);
    return std::forward<F>(f)(std::as_const(value_));
  }
  // A write through `f(T&)` (one access however much f changes): f's result.
  template <class F>
  decltype(auto) update(F&& f, std::source_location where = std::source_location::current()) {
    note(VariableAccess::write, where);
    return std::forward<F>(f)(value_);
  }

  // Not accesses: no record (for reporting after the tasks are done, or in assertions that
  // must not change the trace).
  const T& unobserved() const noexcept { return value_; }
  ObjectId id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }

 private:
  void note(VariableAccess a, const std::source_location& where) const {
    if (p_->tracing()) [[unlikely]]
      detail::emit_access(*p_, id_, a, where);
  }

  Platform* p_;
  ObjectId id_;
  std::string name_;
  T value_;
};

}  // namespace weft
