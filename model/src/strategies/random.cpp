#include "weft/model/strategies/random.hpp"

namespace weft::model {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index) noexcept {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

RandomStrategy::RandomStrategy(std::uint64_t seed) noexcept : seed_(seed), rng_(seed) {}

bool RandomStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  return true;
}

std::size_t RandomStrategy::choose(const sim::Choice& c) { return std::size_t(rng_.random(c.enabled.size())); }

std::uint64_t RandomStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
