// weft's pseudo-random generators, written once: the same numbers on every platform and
// compiler (no std:: engine or distribution, whose outputs the standard leaves open).
//  - SplitMix64: a 64-bit counter through the splitmix64 finaliser; seeds the others and
//    serves where a few spread-out numbers are enough (a real thread's steal victim).
//  - Xoshiro256ss: xoshiro256** seeded from splitmix64, the simulator's decision stream.
// Seeded runs store their choices (schedules, baselines): a change here is a format change.
#pragma once

#include <cstdint>

#include "weft/detail/hash.hpp"

namespace weft::detail {

class SplitMix64 {
 public:
  constexpr explicit SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
  constexpr std::uint64_t next() noexcept { return splitmix64_next(state_); }

 private:
  std::uint64_t state_;
};

// The seed of stream `index` of a generator seeded `seed`: independent streams, each
// reproducible on its own (the index-th output of SplitMix64(seed)).
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t index) noexcept {
  return splitmix64_mix(seed + golden_gamma * (index + 1));
}

class Xoshiro256ss {
 public:
  constexpr explicit Xoshiro256ss(std::uint64_t seed) noexcept {
    SplitMix64 sm(seed);
    for (auto& s : s_) s = sm.next();
  }
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t r = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t v, int k) noexcept { return (v << k) | (v >> (64 - k)); }
  std::uint64_t s_[4] = {};
};

// Uniform enough in [0, bound) for scheduling, with no division (Lemire's multiply-shift).
constexpr std::uint64_t below(std::uint64_t r, std::uint64_t bound) noexcept {
  return std::uint64_t((__uint128_t(r) * bound) >> 64);
}

}  // namespace weft::detail
