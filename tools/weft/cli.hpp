// The `weft` command line: list, run, replay, render, fuzz, merge, bench, catalogue.
// Exit codes are a contract: 0 no violation, 1 violation, 2 bad usage or bad input,
// 3 internal error.
#pragma once

#include <string>
#include <vector>

namespace weft::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_violation = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_internal = 3;

// Runs the CLI over the registered scenarios (weft::scenarios::all()).
int main(int argc, char** argv);

// Subcommands (args exclude the subcommand name).
int cmd_list(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_replay(const std::vector<std::string>& args);
int cmd_render(const std::vector<std::string>& args);
int cmd_catalogue(const std::vector<std::string>& args);
int cmd_fuzz(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);

// Thrown for bad usage / bad input: one line, exit 2.
struct UsageError {
  std::string message;
};

}  // namespace weft::cli
