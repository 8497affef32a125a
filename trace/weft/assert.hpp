// WEFT_ASSERT(cond, why): an invariant of weft's own code, checked where weft's targets are
// built with assertions (Debug builds and the sanitizer builds: WEFT_ASSERTIONS, set by
// cmake/weft.cmake for weft's own sources only). A broken invariant is a bug in weft, not in
// the program under test: it prints one line naming the invariant and aborts. Elsewhere the
// condition is not evaluated. Used in .cpp files only, so every translation unit of an
// inline function agrees on its definition.
#pragma once

namespace weft::detail {
[[noreturn]] void assertion_failed(const char* condition, const char* why, const char* file, int line) noexcept;
}  // namespace weft::detail

#if defined(WEFT_ASSERTIONS)
#define WEFT_ASSERT(cond, why) \
  ((cond) ? static_cast<void>(0) : ::weft::detail::assertion_failed(#cond, why, __FILE__, __LINE__))
#else
#define WEFT_ASSERT(cond, why) static_cast<void>(sizeof(static_cast<bool>(cond)))
#endif
