// Writes the artefact directory of a real finding whose scenario, thread and executor are all
// named `<script>alert(1)</script>`, for the browser test to open: every name must render as
// text. usage: hostile_report OUT_DIR
#include <cstdio>

#include "weft/model/artefacts.hpp"
#include "weft/model/explorer.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

using namespace weft;

namespace {
const char* const kName = "<script>alert(1)</script>";

Task<int> load(int x) {
  co_await sleep_for(40_ms);
  co_return x;
}

Task<void> click() {
  block_on(load(7));  // the continuation is queued on the UI thread this blocks: a deadlock
  co_return;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: hostile_report OUT_DIR\n");
    return 2;
  }
  model::ExploreOptions o;
  o.name = kName;
  o.iterations = 10;
  auto report = model::explore(o, [] {
    SerialExecutor ui(kName);
    auto h = spawn(ui, click());
    sim::settle();
  });
  if (report.findings.empty()) {
    std::fprintf(stderr, "hostile_report: the deadlock was not found\n");
    return 1;
  }
  model::ArtefactInput in{kName, std::string("weft replay '") + kName + "'", &report.findings.front(), {}};
  auto a = model::write_artefacts(argv[1], in);
  for (const auto& e : a.errors) std::fprintf(stderr, "hostile_report: %s\n", e.c_str());
  std::printf("%s\n", a.dir.c_str());
  return a.errors.empty() ? 0 : 1;
}
