#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli.hpp"

namespace weft::cli {

static void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: weft <command> [options]\n"
               "  list                                 scenarios: name, expected verdict, summary\n"
               "  run NAME[.bug|.fix] [--strategy random|pct[:D]|dfs[:B]] [--iterations N] [--seed S] [--out DIR] [--json]\n"
               "  replay FILE|TOKEN [--out DIR] [--json]\n"
               "  render FILE|TOKEN -o OUT.{svg,png,dot,json,md}\n"
               "  fuzz NAME...|--all (--duration 8h | --iterations N) [--jobs J] [--shard K/N] --out DIR\n"
               "  merge DIR... -o DIR\n"
               "  bench [--json]\n"
               "  catalogue [--out DIR]                 every scenario, bug and fix: the main job\n"
               "exit: 0 no violation, 1 violation, 2 bad usage or input, 3 internal error\n");
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return exit_usage;
  }
  std::string cmd = args.front();
  args.erase(args.begin());
  try {
    if (cmd == "list") return cmd_list(args);
    if (cmd == "run") return cmd_run(args);
    if (cmd == "replay") return cmd_replay(args);
    if (cmd == "render") return cmd_render(args);
    if (cmd == "fuzz") return cmd_fuzz(args);
    if (cmd == "merge") return cmd_merge(args);
    if (cmd == "bench") return cmd_bench(args);
    if (cmd == "catalogue") return cmd_catalogue(args);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      usage(stdout);
      return exit_ok;
    }
    std::fprintf(stderr, "weft: unknown command '%s' (weft help lists them)\n", cmd.c_str());
    return exit_usage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "weft: %s\n", e.message.c_str());
    return exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft: internal error: %s\n", e.what());
    return exit_internal;
  }
}

}  // namespace weft::cli
