// The hashes weft writes down: FNV-1a (64 and 32 bit) and the splitmix64 mixer. Every
// target uses these and no copy of its own (tests/tools/tidy.sh fails on the constants
// anywhere else), so a trace hash, a schedule token's checksum, a task's stable key and a
// finding id are computed by one definition. Their values are stored in saved schedules,
// approved baselines and finding directories: a change here is a format change.
#pragma once

#include <cstdint>
#include <string_view>

namespace weft::detail {

// FNV-1a, 64 bit.
inline constexpr std::uint64_t fnv1a64_basis = 0xcbf29ce484222325ull;
inline constexpr std::uint64_t fnv1a64_prime = 0x100000001b3ull;
// A basis one decimal digit short of the standard one (14695981039346656037). Task stable
// keys, the trace hash of an untraced run and the schedule-distinctness hash start from it;
// it hashes as well as any other odd-looking start, and changing it would change stored
// values, so it stays, under a name that says what it is.
inline constexpr std::uint64_t fnv1a64_short_basis = 1469598103934665603ull;

// FNV-1a, 32 bit (schedule tokens' checksum).
inline constexpr std::uint32_t fnv1a32_basis = 2166136261u;
inline constexpr std::uint32_t fnv1a32_prime = 16777619u;

// Incremental FNV-1a 64. Integers are fed byte by byte, little-endian, so a hash does not
// depend on struct padding or on the host's byte order.
class Fnv1a {
 public:
  constexpr Fnv1a() noexcept = default;
  constexpr explicit Fnv1a(std::uint64_t basis) noexcept : h_(basis) {}
  constexpr void byte(std::uint8_t b) noexcept {
    h_ ^= b;
    h_ *= fnv1a64_prime;
  }
  constexpr void u64(std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) byte(std::uint8_t(v >> (8 * i)));
  }
  // The bytes alone: ("ab","c") and ("a","bc") hash alike.
  constexpr void bytes(std::string_view s) noexcept {
    for (char c : s) byte(std::uint8_t(c));
  }
  // Length first, so ("ab","c") and ("a","bc") differ.
  constexpr void str(std::string_view s) noexcept {
    u64(s.size());
    bytes(s);
  }
  constexpr std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = fnv1a64_basis;
};

// One-shot FNV-1a 64 of a byte string (from `basis`, the standard one by default).
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t basis = fnv1a64_basis) noexcept {
  Fnv1a h(basis);
  h.bytes(s);
  return h.value();
}

// One-shot FNV-1a 32 of a byte string.
constexpr std::uint32_t fnv1a32(std::string_view s) noexcept {
  std::uint32_t h = fnv1a32_basis;
  for (char c : s) {
    h ^= std::uint8_t(c);
    h *= fnv1a32_prime;
  }
  return h;
}

// splitmix64: the odd increment (2^64 / golden ratio) and the finaliser that turns a
// counter into well-spread bits. splitmix64_next steps a state; the n-th output (from 0) of
// a state s is splitmix64_mix(s + golden_gamma * (n + 1)).
inline constexpr std::uint64_t golden_gamma = 0x9E3779B97F4A7C15ull;
inline constexpr std::uint64_t splitmix64_mul1 = 0xBF58476D1CE4E5B9ull;
inline constexpr std::uint64_t splitmix64_mul2 = 0x94D049BB133111EBull;

constexpr std::uint64_t splitmix64_mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * splitmix64_mul1;
  z = (z ^ (z >> 27)) * splitmix64_mul2;
  return z ^ (z >> 31);
}
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) noexcept { return splitmix64_mix(state += golden_gamma); }

// Folds v into h (the shift-add combine step): order-sensitive, cheap; callers finish it
// with a multiply of their choice.
constexpr std::uint64_t hash_combine_step(std::uint64_t h, std::uint64_t v) noexcept {
  return h ^ (v + golden_gamma + (h << 6) + (h >> 2));
}

// A source file name as hashed (trace hashes, task stable keys): without leading "./" and
// "../". weft's targets compile with the source root mapped away ("scenarios/src/x.cpp"),
// but a compiler launcher that rewrites absolute paths relative to the build directory
// (ccache's base_dir) yields "../scenarios/src/x.cpp" for the same file; both must hash
// alike, or a schedule recorded in one build would not prove its trace in the other.
inline std::string_view hashed_file(std::string_view f) noexcept {
  for (;;) {
    if (f.substr(0, 2) == "./") {
      f.remove_prefix(2);
    } else if (f.substr(0, 3) == "../") {
      f.remove_prefix(3);
    } else {
      return f;
    }
  }
}

}  // namespace weft::detail
