#include "weft/model/strategies/random.hpp"

#include "weft/detail/random.hpp"

namespace weft::model {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index) noexcept { return weft::detail::stream_seed(seed, index); }

RandomStrategy::RandomStrategy(std::uint64_t seed) noexcept : seed_(seed), rng_(seed) {}

bool RandomStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  return true;
}

std::size_t RandomStrategy::choose(const sim::Choice& c) { return std::size_t(rng_.random(c.enabled.size())); }

std::uint64_t RandomStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
