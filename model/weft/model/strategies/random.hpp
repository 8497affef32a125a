// Random walk: every decision uniform, from a per-execution stream of our own PRNG
// (xoshiro256** via sim::RandomSource) seeded by (seed, execution index), so execution i
// of a seed is reproducible on its own.
#pragma once

#include "weft/model/strategy.hpp"

namespace weft::model {

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(std::uint64_t seed) noexcept;
  bool begin_execution(std::uint64_t index) override;
  std::string name() const override { return "random"; }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;

 private:
  std::uint64_t seed_;
  sim::RandomSource rng_;
};

// Independent per-execution seeds: the index-th splitmix64 output of `seed`
// (weft::detail::stream_seed).
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index) noexcept;

}  // namespace weft::model
