#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.hpp"

namespace weft::cli {

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(stderr);
    return exit_usage;
  }
  std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    if (args.empty()) {
      print_usage(stdout);
      return exit_ok;
    }
    cmd = args.front();
    args = {"--help"};
  }
  if (wants_help(args)) {
    if (print_command_help(cmd, stdout)) return exit_ok;
    std::fprintf(stderr, "weft: unknown command '%s' (weft help lists them)\n", printable(cmd).c_str());
    return exit_usage;
  }
  try {
    if (cmd == "list") return cmd_list(args);
    if (cmd == "run") return cmd_run(args);
    if (cmd == "replay") return cmd_replay(args);
    if (cmd == "render") return cmd_render(args);
    if (cmd == "fuzz") return cmd_fuzz(args);
    if (cmd == "merge") return cmd_merge(args);
    if (cmd == "bench") return cmd_bench(args);
    if (cmd == "catalogue") return cmd_catalogue(args);
    std::fprintf(stderr, "weft: unknown command '%s' (weft help lists them)\n", printable(cmd).c_str());
    return exit_usage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "weft: %s\n", printable(e.message).c_str());
    return exit_usage;
  } catch (const std::invalid_argument& e) {  // a malformed environment knob (WEFT_STEPS=abc)
    std::fprintf(stderr, "weft: %s\n", printable(e.what()).c_str());
    return exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft: internal error: %s\n", printable(e.what()).c_str());
    return exit_internal;
  }
}

}  // namespace weft::cli
