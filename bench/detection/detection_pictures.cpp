// The pictures of the detection benchmark's findings, measured: for every bug, the first
// finding of the default portfolio (seed 0, shrunk as `weft run` shrinks), its artefacts
// written as `weft run` writes them (focused by default; with --full, the complete window),
// and a Markdown table of the schedule picture's size against the 1600 x 1600 px bound and
// the time its Graphviz layout took.
//
//   weft_detection_pictures --out DIR [--full] [--bugs a,b] [--max N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bugs.hpp"
#include "weft/model/artefacts.hpp"
#include "weft/render/render.hpp"

namespace fs = std::filesystem;
using namespace weft;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "weft_detection_pictures: %s\nusage: weft_detection_pictures --out DIR [--full] [--bugs a,b] [--max N]\n",
               why.c_str());
  std::exit(2);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  bool full = false;
  std::vector<std::string> only;
  std::uint64_t max = 10000;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(f + " needs a value");
      return argv[++i];
    };
    if (f == "--out") out = value();
    else if (f == "--full") full = true;
    else if (f == "--bugs") only = split(value());
    else if (f == "--max") {
      std::string v = value();
      if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || v == "0")
        usage("--max: expected a positive number, got '" + v + "'");
      max = std::stoull(v);
    } else usage("unknown flag '" + f + "'");
  }
  if (out.empty()) usage("--out DIR is required");
  for (const std::string& name : only)
    if (std::none_of(detection::all_bugs().begin(), detection::all_bugs().end(),
                     [&](const detection::Bug& b) { return b.name == name; }))
      usage("unknown bug '" + name + "'");

  std::printf("| bug | found | records | %s picture (px) | fits 1600 x 1600 | layout (ms) |\n", full ? "full" : "focused");
  std::printf("|---|---|---:|---:|---|---:|\n");
  int over = 0, drawn = 0;
  double layout_s = 0;
  for (const detection::Bug& bug : detection::all_bugs()) {
    if (!only.empty() && std::find(only.begin(), only.end(), bug.name) == only.end()) continue;
    model::ExploreOptions o = detection::explore_options("portfolio", 0, max);
    o.name = bug.name;
    o.shrink = true;  // the schedule `weft run` would draw
    model::ExploreReport r = model::explore(o, bug.bug);
    auto f = std::find_if(r.findings.begin(), r.findings.end(),
                          [&](const model::Finding& x) { return x.violation.kind == bug.kind; });
    if (f == r.findings.end()) {
      std::printf("| `%s` | not found in %llu executions | | | | |\n", bug.name.c_str(), static_cast<unsigned long long>(max));
      continue;
    }
    model::ArtefactInput in{bug.name, "weft_detection_pictures --bugs " + bug.name, &*f, {}};
    in.full = full;
    const render::LayoutStats before = render::layout_stats();
    model::Artefacts a = model::write_artefacts((fs::path(out) / bug.name).string(), in);
    const render::LayoutStats after = render::layout_stats();
    const double ms = 1000 * (after.seconds - before.seconds);
    auto [w, h] = render::svg_size_px(read(fs::path(out) / bug.name / "schedule.svg"));
    bool fits = w > 0 && w <= 1600 && h <= 1600;
    over += w > 0 && !fits;
    drawn += w > 0;
    layout_s += after.seconds - before.seconds;
    std::string size = w > 0 ? std::to_string(w) + "x" + std::to_string(h) : "not drawn: " + (a.errors.empty() ? std::string("?") : a.errors.front());
    std::printf("| `%s` | %s | %zu | %s | %s | %.1f |\n", bug.name.c_str(), to_string(f->violation.kind),
                f->trace.records.size(), size.c_str(), w == 0 ? "–" : fits ? "yes" : "**no**", ms);
    std::fflush(stdout);
  }
  std::printf("\n%d pictures drawn, %d larger than 1600 x 1600 px; layouts %.2f s in all (the first pays Graphviz's start-up)\n",
              drawn, over, layout_s);
  return over ? 1 : 0;
}
