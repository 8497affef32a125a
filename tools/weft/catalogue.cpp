// The main job: every scenario's bug and fix explored, a table printed, artefacts written.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common.hpp"
#include "weft/render/render.hpp"
#include "weft/scenarios/capacity.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

int cmd_catalogue(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {"--out", "--iterations"}, {"--no-capacity", "--full", "--no-render"});
  if (!a.positional.empty()) throw UsageError{synopsis("catalogue")};
  const auto started = std::chrono::steady_clock::now();  // for the pictures' share of the run, printed only
  if (a.has("--iterations") && a.get_u64("--iterations", 1) == 0)
    throw UsageError{"--iterations: must be at least 1 (0 executions would call every fix a pass)"};
  fs::path out = a.get("--out", "out");
  check_out_dir(out.string());
  fs::create_directories(out);
  std::ostringstream md;
  md << "| scenario | variant | verdict | expected | executions | replay token |\n";
  md << "|---|---|---|---|---|---|\n";
  std::printf("%-22s %-7s %-15s %-15s %-6s %10s  %s\n", "scenario", "variant", "verdict", "expected", "ok", "executions",
              "replay token");
  int failures = 0;
  for (auto& s : scenarios::all()) {
    for (auto v : {scenarios::Variant::bug, scenarios::Variant::fix}) {
      Target t{&s, v};
      model::ExploreOptions o = s.options;
      o.name = t.full_name();
      if (a.has("--iterations")) o.iterations = a.get_u64("--iterations", o.iterations);
      auto report = model::explore(o, t.body(), checker_for(t));
      auto expected = std::find_if(report.findings.begin(), report.findings.end(),
                                   [&](const model::Finding& f) { return f.violation.kind == s.expected; });
      bool flagged = expected != report.findings.end();
      std::string verdict = "pass";
      bool ok = v == scenarios::Variant::bug ? flagged : report.findings.empty();
      if (!ok) ++failures;
      std::string token, execs;
      if (!report.findings.empty()) {
        const model::Finding& f = flagged ? *expected : report.findings.front();
        Artefacts art = write_artefacts((out / t.full_name()).string(), t, f, RenderOptions{a.has("--full"), a.has("--no-render")});
        token = art.token;
        verdict = to_string(f.violation.kind);
        execs = std::to_string(report.executions_to_first_bug.value_or(report.executions));
      } else {
        execs = std::to_string(report.executions);
      }
      std::string short_token = token.size() > 40 ? token.substr(0, 37) + "..." : token;
      std::printf("%-22s %-7s %-15s %-15s %-6s %10s  %s\n", s.name.c_str(),
                  v == scenarios::Variant::bug ? "bug" : "fix", verdict.c_str(),
                  v == scenarios::Variant::bug ? to_string(s.expected) : "pass", ok ? "yes" : "NO", execs.c_str(),
                  short_token.c_str());
      std::fflush(stdout);
      md << "| " << s.name << " | " << (v == scenarios::Variant::bug ? "bug" : "fix") << " | " << verdict << " | "
         << (v == scenarios::Variant::bug ? to_string(s.expected) : "pass") << " | " << execs << " | "
         << (token.empty() ? "" : "`" + token + "`") << " |\n";
    }
  }
  // What the pictures cost: the Graphviz layouts against the whole run so far (exploration,
  // shrinking, minimal pairs, every artefact). Printed, never written to catalogue.md (which
  // stays the same from run to run).
  {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const render::LayoutStats ls = render::layout_stats();
    if (ls.layouts)
      std::printf("\npictures: %zu Graphviz layouts took %.2f s (the first, with Graphviz's start-up, %.2f s) of %.2f s wall time: %.1f %%\n", ls.layouts,
                  ls.seconds, ls.startup_seconds, wall, wall > 0 ? 100 * ls.seconds / wall : 0.0);
    else
      std::printf("\npictures: no Graphviz layout (--no-render); %.2f s wall time\n", wall);
  }
  if (!a.has("--no-capacity")) {
    std::string cap = scenarios::capacity_table();
    std::printf("\nCapacity, in virtual time (10 workers, a 2 s database):\n%s\n", cap.c_str());
    md << "\n## Capacity (virtual time; 10 workers, a 2 s database)\n\n" << cap << "\n";
  }
  std::ofstream(out / "catalogue.md") << md.str();
  std::printf("\n%s; table in %s, reports and pictures under %s/<scenario>.bug/\n",
              failures ? (std::to_string(failures) + " scenario variant(s) gave the wrong verdict").c_str()
                       : "every bug flagged with its kind, every fix passed",
              (out / "catalogue.md").string().c_str(), out.string().c_str());
  return failures ? exit_violation : exit_ok;
}

}  // namespace weft::cli
