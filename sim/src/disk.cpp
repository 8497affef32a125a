#include "weft/sim/disk.hpp"

#include <utility>

namespace weft::sim {

Disk::Disk(DiskOptions options) : options_(std::move(options)) {}

Nanos Disk::draw(Nanos min, Nanos max) {
  if (max <= min || options_.latency_step <= 0) return min;
  auto steps = std::uint64_t((max - min) / options_.latency_step) + 1;
  return min + Nanos(current_platform().random_below(steps)) * options_.latency_step;
}

bool Disk::write_fails() {
  if (options_.write_error_per_million == 0) return false;
  bool failed = current_platform().fault(options_.name + ".write", options_.write_error_per_million);
  if (failed) ++writes_failed_;
  return failed;
}

Task<std::optional<std::string>> Disk::read(std::string key) {
  co_await sleep_for(draw(options_.read_latency_min, options_.read_latency_max));
  auto it = blobs_.find(key);
  if (it == blobs_.end()) co_return std::nullopt;
  co_return it->second;
}

Task<void> Disk::write(std::string key, std::string data) {
  Nanos latency = draw(options_.write_latency_min, options_.write_latency_max);
  bool failed = write_fails();
  co_await sleep_for(latency);
  if (failed) throw DiskError(options_.name + ": write of '" + key + "' failed");
  blobs_[key] = std::move(data);
}

std::optional<std::string> Disk::read_sync(const std::string& key, std::source_location where) {
  blocking_io(draw(options_.read_latency_min, options_.read_latency_max), where);
  auto it = blobs_.find(key);
  if (it == blobs_.end()) return std::nullopt;
  return it->second;
}

void Disk::write_sync(const std::string& key, std::string data, std::source_location where) {
  Nanos latency = draw(options_.write_latency_min, options_.write_latency_max);
  bool failed = write_fails();
  blocking_io(latency, where);
  if (failed) throw DiskError(options_.name + ": write of '" + key + "' failed");
  blobs_[key] = std::move(data);
}

}  // namespace weft::sim
