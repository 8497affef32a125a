// Prints what the detection suite measures: for each bug of programs.hpp, the executions to
// find it at the default settings (median, min, max over 20 seeds) and whether its twin
// stayed clean over 10,000 executions; then the size of the DFS space (dfs:2, executions to
// finish) of a few programs at coarse granularity without and with the point between a
// pool worker's pop and the job's first step, and at fine granularity.
//   detection_bench [--seeds N] [--twin N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "measure.hpp"

using namespace weft;
using namespace weft::detection;

namespace {

struct Program {
  const char* name;
  void (*body)();
};

void two_tasks_one_worker() {
  ThreadPool pool(1, "pool");
  int counter = 0;
  Mutex m;
  auto a = spawn(pool, add_one(&counter, &m, true));
  auto b = spawn(pool, add_one(&counter, &m, true));
  a.join();
  b.join();
}
void two_tasks_serial() {
  SerialExecutor ui("ui");
  int counter = 0;
  Mutex m;
  auto a = spawn(ui, add_one(&counter, &m, false));
  auto b = spawn(ui, add_one(&counter, &m, false));
  a.join();
  b.join();
}

std::string dfs_space(void (*body)(), sim::Granularity g, bool job_points) {
  model::ExploreOptions o;
  o.strategy = "dfs:2";
  o.iterations = 200000;
  o.shrink = false;
  o.stop_at_first = false;
  o.nondeterminism_check_every = 0;
  o.sim.granularity = g;
  o.sim.job_start_points = job_points;
  auto r = model::explore(o, body);
  std::string s = std::to_string(r.executions);
  if (!r.exhaustive) s += r.coverage.rfind("finished", 0) == 0 ? " (finished, not exhaustive)" : " (cut)";
  if (!r.findings.empty()) s += ", " + std::to_string(r.findings.size()) + " finding(s)";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seeds = 20, twin = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seeds")) seeds = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--twin")) twin = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: detection_bench [--seeds N] [--twin N]\n");
      return 2;
    }
  }
  std::printf("| bug | kind | executions to find: median | min | max | twin: violations in %llu |\n",
              static_cast<unsigned long long>(twin));
  std::printf("|---|---|---:|---:|---:|---:|\n");
  for (const Case& c : cases()) {
    auto runs = executions_to_find(c, seeds, 1000);
    auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
    std::printf("| %s | %s | %llu | %llu | %llu | %zu |\n", c.name, to_string(c.kind),
                static_cast<unsigned long long>(median(runs)), static_cast<unsigned long long>(*lo),
                static_cast<unsigned long long>(*hi), twin_findings(c, twin));
    std::fflush(stdout);
  }
  const Program programs[] = {
      {"2 tasks, 1-worker pool (no parallelism)", two_tasks_one_worker},
      {"2 tasks, serial executor (no parallelism)", two_tasks_serial},
      {"lost-update fix (2 workers, mutex)", [] { lost_update(true); }},
      {"assertion-thrown bug (2 workers)", [] { assertion_thrown(false); }},
      {"assertion-thrown fix (2 workers)", [] { assertion_thrown(true); }},
      {"lock-cycle-3 fix (2 workers)", [] { lock_cycle3(true); }},
      {"fault-deadlock fix (2 workers, 1 fault point)", [] { fault_deadlock(true); }},
  };
  std::printf("\n| program (dfs:2, executions) | coarse, no pop point | coarse | fine |\n|---|---:|---:|---:|\n");
  for (const Program& p : programs) {
    std::printf("| %s | %s | %s | %s |\n", p.name, dfs_space(p.body, sim::Granularity::coarse, false).c_str(),
                dfs_space(p.body, sim::Granularity::coarse, true).c_str(),
                dfs_space(p.body, sim::Granularity::fine, true).c_str());
    std::fflush(stdout);
  }
  return 0;
}
