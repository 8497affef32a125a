// Shared by the property tests: run a program under many seeds and tally what check_all says;
// render violations for approved baselines with file paths made relative to the repository.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <weft/properties/property.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

namespace weft::test {

inline constexpr std::uint64_t kSeeds = 1000;

struct Tally {
  std::uint64_t runs = 0;
  std::uint64_t flagged = 0;         // executions with a violation of the expected kind
  std::uint64_t any_violation = 0;   // executions with any violation at all
  std::vector<Violation> first;      // the violations of the first flagged execution
  std::string first_other;           // the first violation of another kind (for messages)
};

inline sim::Options options(Nanos time_max = 60_s) {
  sim::Options o;
  o.limits.time_max = time_max;
  return o;
}

inline Tally explore(const std::function<void()>& body, ViolationKind expected, sim::Options o = options(),
                     const properties::Config& config = {}, std::uint64_t seeds = kSeeds) {
  Tally t;
  sim::SimPlatform sp(o);
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    sim::RandomSource rs(seed);
    auto r = sp.run(body, rs);
    auto vs = properties::check_all(sp.trace(), r, config);
    ++t.runs;
    if (!vs.empty()) ++t.any_violation;
    bool hit = false;
    for (auto& v : vs) {
      if (v.kind == expected) hit = true;
      else if (t.first_other.empty()) t.first_other = std::string(to_string(v.kind)) + ": " + v.message + "\n" + v.detail;
    }
    if (hit && t.flagged++ == 0) t.first = vs;
  }
  if (const char* p = std::getenv("WEFT_PRINT"); p && *p == '1') {
    std::string out;
    for (const auto& v : t.first) out += std::string(to_string(v.kind)) + ": " + v.message + "\n" + v.detail + "\n";
    std::printf("--- %llu/%llu flagged\n%s", (unsigned long long)t.flagged, (unsigned long long)t.runs, out.c_str());
  }
  return t;
}

// The repository root as this file was compiled: everything before "tests/properties/".
inline std::string repo_root() {
  std::string f = __FILE__;
  auto at = f.rfind("tests/properties/");
  return at == std::string::npos ? std::string() : f.substr(0, at);
}

inline std::string relative(std::string s) {
  std::string root = repo_root();
  if (root.empty()) return s;
  for (auto at = s.find(root); at != std::string::npos; at = s.find(root, at)) s.erase(at, root.size());
  return s;
}

inline std::string render(const std::vector<Violation>& vs) {
  std::string out;
  for (const auto& v : vs) {
    out += std::string(to_string(v.kind)) + " [" + (v.severity == Severity::error ? "error" : "warning") + "]\n";
    out += "message: " + v.message + "\n";
    out += "locations:";
    for (const auto& l : v.locations) out += " " + l;
    out += "\ndetail:\n" + v.detail + "\n";
  }
  return relative(out);
}

// Compares with tests/properties/approved/<name>.txt byte for byte. WEFT_APPROVE=1 rewrites it.
inline void check_approved(const std::string& name, const std::string& actual) {
#ifdef WEFT_PROPERTIES_APPROVED_DIR
  std::string path = std::string(WEFT_PROPERTIES_APPROVED_DIR) + name + ".txt";
#else
  std::string path = repo_root() + "tests/properties/approved/" + name + ".txt";
#endif
  if (const char* a = std::getenv("WEFT_APPROVE"); a && std::string(a) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("approved file: " << path << " (run with WEFT_APPROVE=1 to accept)");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == actual);
}

}  // namespace weft::test
