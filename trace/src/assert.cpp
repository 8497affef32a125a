#include "weft/assert.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace weft::detail {

void assertion_failed(const char* condition, const char* why, const char* file, int line) noexcept {
  // The file's last two components ("src/timer.cpp"): no build-machine path in the message.
  std::string_view f(file);
  std::size_t cut = f.rfind('/');
  if (cut != std::string_view::npos && cut > 0) cut = f.rfind('/', cut - 1);
  if (cut != std::string_view::npos) f.remove_prefix(cut + 1);
  std::fprintf(stderr, "weft: internal invariant broken at %.*s:%d: %s (%s); this is a bug in weft\n",
               int(f.size()), f.data(), line, condition, why);
  std::abort();
}

}  // namespace weft::detail
