// Command-line pieces shared by the benchmark binaries (weft_detection, weft_feedback_bench):
// comma lists, positive or plain numbers, and one usage line with exit code 2.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace bench_args {

inline std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

[[noreturn]] inline void usage(const char* program, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program, why.c_str());
  std::exit(2);
}

// `v` as a number of at most `max_digits` digits (and above zero when `positive`).
inline std::uint64_t number(const char* program, const std::string& flag, const char* v, std::size_t max_digits,
                            bool positive) {
  std::string s = v ? v : "";
  bool ok = !s.empty() && s.size() <= max_digits && s.find_first_not_of("0123456789") == std::string::npos &&
            (!positive || std::stoull(s) != 0);
  if (!ok) usage(program, flag + (positive ? ": expected a positive number, got '" : ": expected a number, got '") + s + "'");
  return std::stoull(s);
}

}  // namespace bench_args
