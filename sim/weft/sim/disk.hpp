// A fake disk: keyed blobs with read/write latency and injected write errors. Latencies
// are drawn through the platform and write errors are fault points, so in the simulator
// both are recorded decisions the explorer can vary, replay and shrink.
#pragma once

#include <map>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>

#include "weft/weft.hpp"

namespace weft::sim {

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DiskOptions {
  std::string name = "disk";
  Nanos read_latency_min = 100_us;  // uniform in [min, max] in steps of latency_step
  Nanos read_latency_max = 100_us;
  Nanos write_latency_min = 1_ms;
  Nanos write_latency_max = 1_ms;
  Nanos latency_step = 10_us;
  std::uint32_t write_error_per_million = 0;  // fault point "<name>.write"
};

class Disk {
 public:
  explicit Disk(DiskOptions options = {});

  // Asynchronous I/O: the calling thread is free while the request is in flight.
  Task<std::optional<std::string>> read(std::string key);
  // Throws DiskError when the write fault fires; the old contents stay.
  Task<void> write(std::string key, std::string data);

  // Synchronous I/O: occupies the calling thread for the whole latency (blocking_io).
  std::optional<std::string> read_sync(const std::string& key,
                                       std::source_location where = std::source_location::current());
  void write_sync(const std::string& key, std::string data,
                  std::source_location where = std::source_location::current());

  std::size_t writes_failed() const noexcept { return writes_failed_; }

 private:
  Nanos draw(Nanos min, Nanos max);
  bool write_fails();
  DiskOptions options_;
  std::map<std::string, std::string> blobs_;  // ordered: iteration order is deterministic
  std::size_t writes_failed_ = 0;
};

}  // namespace weft::sim
