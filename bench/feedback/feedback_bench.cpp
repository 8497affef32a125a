// Coverage feedback against random alone and the plain portfolio, run as campaigns run:
// seed BASE + i is execution i of a campaign (one execution per seed, as `weft fuzz` gives
// each seed), through model::run_with_feedback for the feedback campaign -- the code a
// campaign job runs -- and through model::explore with one iteration otherwise. For each
// target and mode: executions to the first violation over --campaigns campaigns (distinct
// seed bases), median, smallest and largest, and how many campaigns found it within --max.
//
//   weft_feedback_bench [--campaigns 10] [--max 20000] [--targets lockstep_6,...] [--markdown]
//
// Targets: lockstep_N (bench/feedback/lockstep.hpp, N rounds in step) and the bugs of the
// detection suite by name (bench/detection). Twins: --twins checks that each target's
// twin stays clean for --max feedback executions.
//
// Every number is measured here, on this run.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench_args.hpp"
#include "bugs.hpp"
#include "lockstep.hpp"
#include "weft/model/feedback.hpp"

using namespace weft;

namespace {

struct Target {
  std::string name;
  std::function<void()> bug, twin;
};

using bench_args::split;
[[noreturn]] void usage(const std::string& why) { bench_args::usage("weft_feedback_bench", why); }
std::uint64_t number(const std::string& flag, const char* v) {
  return bench_args::number("weft_feedback_bench", flag, v, 9, true);
}

std::optional<Target> find_target(const std::string& name) {
  if (name.rfind("lockstep_", 0) == 0) {
    std::string digits = name.substr(9);
    if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    int n = std::stoi(digits);
    if (n < 1) return std::nullopt;
    return Target{name, [n] { feedback_bench::lockstep(n, false); }, [n] { feedback_bench::lockstep(n, true); }};
  }
  for (const detection::Bug& b : detection::all_bugs())
    if (b.name == name) return Target{name, b.bug, b.twin};
  return std::nullopt;
}

bool has_error(const model::ExploreReport& r) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [](const model::Finding& f) { return f.violation.severity == Severity::error; });
}

enum class Mode { random, portfolio, feedback };
const char* mode_name(Mode m) {
  return m == Mode::random ? "random" : m == Mode::portfolio ? "portfolio" : "portfolio+feedback";
}

// Executions until the first violation of one campaign (seeds base, base+1, ...), or
// nothing within max.
std::optional<std::uint64_t> campaign(const std::function<void()>& body, Mode mode, std::uint64_t base,
                                      std::uint64_t max, std::size_t* corpus_size = nullptr) {
  model::Corpus corpus;
  for (std::uint64_t i = 0; i < max; ++i) {
    model::ExploreOptions o = detection::explore_options(mode == Mode::random ? "random" : "portfolio", base + i, 1);
    model::ExploreReport r =
        mode == Mode::feedback ? model::run_with_feedback(corpus, o, body).report : model::explore(o, body);
    if (has_error(r)) {
      if (corpus_size) *corpus_size = corpus.size();
      return i + 1;
    }
  }
  if (corpus_size) *corpus_size = corpus.size();
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t campaigns = 10, max = 20000;
  std::vector<std::string> names{"lockstep_4", "lockstep_6", "lockstep_8", "reorder_5", "twostage_10", "wsq"};
  bool markdown = false, twins = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(a + ": missing value");
      return argv[++i];
    };
    if (a == "--campaigns") campaigns = number(a, value());
    else if (a == "--max") max = number(a, value());
    else if (a == "--targets") names = split(value());
    else if (a == "--markdown") markdown = true;
    else if (a == "--twins") twins = true;
    else usage("unknown argument '" + a + "'");
  }
  std::vector<Target> targets;
  for (const std::string& n : names) {
    auto t = find_target(n);
    if (!t) usage("unknown target '" + n + "' (lockstep_N or a bug of bench/detection)");
    targets.push_back(*t);
  }
  const Mode modes[] = {Mode::random, Mode::portfolio, Mode::feedback};
  if (markdown) {
    std::printf("| target | random | portfolio | portfolio+feedback | random / feedback (medians) |%s\n",
                twins ? " twin |" : "");
    std::printf("|---|---:|---:|---:|---:|%s\n", twins ? "---|" : "");
  }
  for (const Target& t : targets) {
    std::string cells[3];
    double medians[3] = {0, 0, 0};
    for (std::size_t m = 0; m < 3; ++m) {
      std::vector<double> runs;
      std::uint64_t found = 0;
      for (std::uint64_t k = 0; k < campaigns; ++k) {
        // Distinct seed bases, far apart: campaign k runs seeds 10^7 k + i.
        auto n = campaign(t.bug, modes[m], 10'000'000ull * k, max);
        if (n) ++found;
        runs.push_back(n ? double(*n) : double(max) + 1);
      }
      std::sort(runs.begin(), runs.end());
      double median = runs.size() % 2 ? runs[runs.size() / 2] : (runs[runs.size() / 2 - 1] + runs[runs.size() / 2]) / 2;
      medians[m] = median;
      auto show = [&](double v) {
        char buf[32];
        if (v > double(max)) std::snprintf(buf, sizeof buf, ">%llu", static_cast<unsigned long long>(max));
        else std::snprintf(buf, sizeof buf, "%.0f", v);
        return std::string(buf);
      };
      cells[m] = show(median) + " (" + show(runs.front()) + "-" + show(runs.back()) + ", " + std::to_string(found) + "/" +
                 std::to_string(campaigns) + ")";
      if (!markdown)
        std::printf("%-12s %-19s median %s executions to the first violation\n", t.name.c_str(), mode_name(modes[m]),
                    cells[m].c_str());
      std::fflush(stdout);
    }
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.1fx", medians[2] > 0 ? medians[0] / medians[2] : 0.0);
    std::string twin;
    if (twins) {
      std::size_t entries = 0;
      auto n = campaign(t.twin, Mode::feedback, 0, max, &entries);
      twin = n ? "FAILS after " + std::to_string(*n) : "clean (" + std::to_string(max) + ", " + std::to_string(entries) + " corpus entries)";
    }
    if (markdown)
      std::printf("| %s | %s | %s | %s | %s |%s\n", t.name.c_str(), cells[0].c_str(), cells[1].c_str(), cells[2].c_str(),
                  ratio, twins ? (" " + twin + " |").c_str() : "");
    else
      std::printf("%-12s random / feedback medians: %s%s\n", t.name.c_str(), ratio, twins ? ("; twin " + twin).c_str() : "");
    std::fflush(stdout);
  }
  return 0;
}
