// `weft help`, `weft <command> --help`: one table of every command, option, default and
// example. The README's CLI block is the list of synopses (tests/tools/help_test.sh checks it).
#include <cstdio>

#include "common.hpp"
#include "weft/model/explorer.hpp"

namespace weft::cli {

namespace {

struct Option {
  const char* flag;     // "--iterations N"
  const char* meaning;  // one line
  const char* fallback; // the default, "" when there is none
};

struct Command {
  const char* name;
  std::string synopsis;  // the line of `weft help` and of the README
  const char* summary;
  std::vector<Option> options;
  std::vector<const char*> examples;
  std::string (*section)() = nullptr;  // one more block, drawn from another table
};

// `weft run --help`'s strategies, from model's strategy table (name, parameter, help).
std::string strategies_section() {
  std::string out = "\nstrategies (--strategy):\n";
  for (const model::StrategyHelp& s : model::strategy_help()) {
    std::string name = s.spec + (s.needs_schedule ? " *" : "");
    out += "  " + name + std::string(name.size() < 20 ? 20 - name.size() : 0, ' ') + " " + s.help + "\n";
  }
  return out + "  (* runs from a recorded schedule: weft replay, weft fuzz, WEFT_REPLAY; not for --strategy)\n";
}

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"list", "weft list", "scenarios: name, expected verdict, summary", {}, {"weft list"}},
      {"run",
       "weft run NAME[.bug|.fix] [--strategy " + model::strategy_choices() +
           "] [--iterations N] [--seed S] [--warnings off|report|error] [--out DIR] [--json] [--all] [--full] [--no-render]",
       "explores one scenario (the bug variant unless .fix); a finding writes its artefact directory OUT/NAME.bug/",
       {{"--strategy S", "the portfolio (pct-await:3 and random taking turns), one of its members, another strategy, bounded DFS or DPOR (B preemptions)", "the scenario's own (portfolio)"},
        {"--iterations N", "executions at most (dfs: an upper bound)", "the scenario's own"},
        {"--seed S", "the first execution's seed", "the scenario's own"},
        {"--warnings W", "warnings (a redundant hop): off, report (after every error, never stopping the exploration) "
                         "or error (stop at one)", "the scenario's own (report)"},
        {"--out DIR", "where the artefact directory goes", "out"},
        {"--json", "one JSON object on stdout instead of text", ""},
        {"--all", "keep exploring after the first finding; report every distinct one", ""},
        {"--full", "pictures of every step, not only the violation's story", ""},
        {"--no-render", "no Graphviz layout (schedule.svg): weft render draws it on demand", ""}},
       {"weft run sync-over-async.bug --strategy pct:3 --iterations 2000", "weft run when-any-leak.fix --json"},
       strategies_section},
      {"replay",
       "weft replay FILE|TOKEN|DIR [--out DIR] [--json] [--full] [--no-render]",
       "re-runs one schedule exactly (same trace hash); a weft::check finding, whose body is not in this binary, is "
       "shown from its recorded finding.weft with the command that replays it through the test binary",
       {{"--out DIR", "where the artefact directory goes", "out"},
        {"--json", "one JSON object on stdout instead of text", ""},
        {"--full", "pictures of every step, not only the violation's story", ""},
        {"--no-render", "no Graphviz layout (schedule.svg): weft render draws it on demand", ""}},
       {"weft replay out/sync-over-async.bug/schedule.weft", "weft replay w1.…", "weft replay weft-out/orders"}},
      {"render",
       "weft render FILE|TOKEN|DIR -o OUT.{svg,png,dot,json,md,mmd,html,seq.svg} [--full]",
       "draws one schedule: the lanes graph (svg, png, dot), the sequence diagram (seq.svg, mmd for Mermaid), the "
       "Perfetto timeline (json), the report (md) or the self-contained HTML report (html); a weft::check "
       "finding is drawn from its recorded trace (finding.weft beside schedule.weft)",
       {{"-o, --output OUT", "the file to write; its extension picks the format", ""},
        {"--full", "every step, not only the violation's story", ""}},
       {"weft render out/sync-over-async.bug/schedule.weft -o deadlock.svg", "weft render weft-out/orders -o orders.svg"}},
      {"fuzz",
       "weft fuzz NAME...|--all (--duration 8h | --iterations N) [--jobs J] [--shard K/N] [--seed BASE] [--watchdog SECONDS] [--feedback on|off] --out DIR",
       "an overnight campaign in child processes: crashes and hangs are findings with a working replay "
       "(tools/weft/CAMPAIGNS.md)",
       {{"--all", "every scenario, bug and fix", ""},
        {"--duration D", "wall time (e.g. 90s, 30m, 8h); exactly one of --duration and --iterations", ""},
        {"--iterations N", "executions in all (over every shard)", ""},
        {"--jobs J", "child processes", "the number of cores"},
        {"--shard K/N", "run the seeds BASE+i with i % N == K (0-based K)", "0/1"},
        {"--seed BASE", "the first seed", "0"},
        {"--watchdog SECONDS", "wall time one execution may take before it is a hang finding", "30"},
        {"--feedback on|off",
         "keep executions that reached new interleaving coverage as a corpus, and let half the seeds mutate "
         "its entries (prefix kept, rest re-drawn); off: every seed a fresh portfolio draw",
         "on"},
        {"--out DIR", "the campaign directory (must not hold a campaign yet)", ""},
        {"--resume DIR", "continue the campaign in DIR after a kill: no seed lost or repeated (alone)", ""}},
       {"weft fuzz --all --duration 8h --out runs/night", "weft fuzz sync-over-async --iterations 100000 --shard 0/4 --out runs/s0",
        "weft fuzz --resume runs/night"}},
      {"merge", "weft merge DIR... -o DIR", "combines campaign directories: findings deduplicated by signature and shape",
       {{"-o, --output DIR", "the merged campaign directory", ""}},
       {"weft merge runs/shard-* -o runs/merged"}},
      {"bench", "weft bench [--json] [--quick]",
       "the simulator's costs: step vs raw resume, executions/s, steps/s, the user's path beside the bare simulator, memory",
       {{"--json", "one JSON object on stdout instead of text", ""},
        {"--quick", "every row in short windows (a smoke run: rough figures)", ""}},
       {"weft bench"}},
      {"catalogue", "weft catalogue [--out DIR] [--iterations N] [--no-capacity] [--full] [--no-render]",
       "every scenario, bug and fix, explored and checked against its expected verdict: the main job",
       {{"--out DIR", "where the reports, schedules and pictures go", "out"},
        {"--iterations N", "executions per variant", "each scenario's own"},
        {"--no-capacity", "skip the capacity table", ""},
        {"--full", "pictures of every step, not only the violation's story", ""},
        {"--no-render", "no Graphviz layouts (schedule.svg)", ""}},
       {"weft catalogue --out out"}},
  };
  return table;
}

const Command* find_command(const std::string& name) {
  for (const Command& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace

bool wants_help(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

void print_usage(std::FILE* to) {
  std::fprintf(to, "usage: weft <command> [options]   (weft <command> --help for its options)\n");
  for (const Command& c : commands()) std::fprintf(to, "  %s\n", c.synopsis.c_str());
  std::fprintf(to, "exit: 0 no violation, 1 violation, 2 bad usage or input, 3 internal error\n");
}

bool print_command_help(const std::string& name, std::FILE* to) {
  const Command* c = find_command(name);
  if (!c) return false;
  std::fprintf(to, "usage: %s\n\n%s\n", c->synopsis.c_str(), c->summary);
  if (!c->options.empty()) {
    std::fprintf(to, "\noptions:\n");
    for (const Option& o : c->options) {
      std::fprintf(to, "  %-20s %s", o.flag, o.meaning);
      if (*o.fallback) std::fprintf(to, " (default: %s)", o.fallback);
      std::fprintf(to, "\n");
    }
  }
  if (c->section) std::fprintf(to, "%s", c->section().c_str());
  std::fprintf(to, "\nexamples:\n");
  for (const char* e : c->examples) std::fprintf(to, "  %s\n", e);
  std::fprintf(to, "\nexit: 0 no violation, 1 violation, 2 bad usage or input, 3 internal error\n");
  return true;
}

std::string synopsis(const std::string& name) {
  const Command* c = find_command(name);
  return c ? std::string("usage: ") + c->synopsis : std::string();
}

}  // namespace weft::cli
