// The detection benchmark: for every bug of the suite and every strategy, the median and
// the largest number of executions until the first violation over a range of seeds, the
// kind reported, and whether the bug's twin stays clean (a budget of portfolio
// executions, then exhaustive search with an execution cap).
//
//   weft_detection [--seeds N] [--max N] [--strategies a,b,...] [--bugs name,...]
//                  [--twin-budget N] [--exhaustive-cap N] [--exhaustive S]
//                  [--preemption-cap N] [--markdown]
//
// Preemptions: every portfolio finding is shrunk (model::shrink) and its preemptions
// counted; the fewest known is the smallest B in 0..3 for which bounded DPOR (dpor:B, at
// most --preemption-cap executions) finds the bug, or a shrunk count if lower. It is the
// proven minimum when every smaller bound was searched exhaustively without a finding.
// --preemption-cap 0 leaves the column out.
//
// Every number is measured here, on this run; nothing is remembered or assumed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_args.hpp"
#include "bugs.hpp"
#include "weft/model/explorer.hpp"

using namespace weft;

namespace {

struct Args {
  std::uint64_t seeds = 20;
  std::uint64_t max = 10000;
  std::vector<std::string> strategies{"random", "pct:3", "pct-await:3", "pos", "surw", "portfolio"};
  std::vector<std::string> bugs;
  std::uint64_t twin_budget = 2000;
  std::uint64_t exhaustive_cap = 20000;
  std::vector<std::string> exhaustive{"dfs:2", "dpor:2"};
  std::uint64_t preemption_cap = 5000;
  bool markdown = false;
};

using bench_args::split;
[[noreturn]] void usage(const std::string& why) { bench_args::usage("weft_detection", why); }
std::uint64_t number(const std::string& flag, const char* v) { return bench_args::number("weft_detection", flag, v, 12, false); }

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(f + " needs a value");
      return argv[++i];
    };
    if (f == "--seeds") a.seeds = number(f, value());
    else if (f == "--max") a.max = number(f, value());
    else if (f == "--strategies") a.strategies = split(value());
    else if (f == "--bugs") a.bugs = split(value());
    else if (f == "--twin-budget") a.twin_budget = number(f, value());
    else if (f == "--exhaustive-cap") a.exhaustive_cap = number(f, value());
    else if (f == "--exhaustive") a.exhaustive = split(value());
    else if (f == "--preemption-cap") a.preemption_cap = number(f, value());
    else if (f == "--markdown") a.markdown = true;
    else usage("unknown flag '" + f + "'");
  }
  if (a.seeds == 0 || a.max == 0) usage("--seeds and --max must be at least 1");
  for (const std::string& s : a.strategies) {
    try {
      model::validate_strategy(s);
    } catch (const std::invalid_argument& e) {
      usage(e.what());
    }
  }
  return a;
}

struct Cell {
  std::vector<std::uint64_t> found;  // executions to first bug, per seed that found it
  std::uint64_t missed = 0;
  bool cut = false;  // the first seeds all missed: the rest were not run
  std::map<std::string, int> kinds;
  std::vector<model::Finding> firsts;  // the first finding of each seed that found the bug
  std::uint64_t median() const {
    if (found.size() <= missed) return 0;  // the median seed missed
    std::vector<std::uint64_t> all = found;
    all.resize(found.size() + missed, ~std::uint64_t(0));
    std::sort(all.begin(), all.end());
    return all[all.size() / 2];
  }
};

model::ExploreOptions base(const std::string& name, const std::string& strategy, std::uint64_t seed, std::uint64_t n) {
  model::ExploreOptions o = detection::explore_options(strategy, seed, n);
  o.name = name;
  return o;
}

constexpr std::uint64_t miss_seeds_max = 3;

Cell measure(const detection::Bug& bug, const std::string& strategy, const Args& a) {
  Cell c;
  for (std::uint64_t seed = 0; seed < a.seeds; ++seed) {
    model::ExploreReport r = model::explore(base(bug.name, strategy, seed, a.max), bug.bug);
    if (r.executions_to_first_bug && !r.findings.empty()) {
      c.found.push_back(*r.executions_to_first_bug);
      ++c.kinds[to_string(r.findings.front().violation.kind)];
      c.firsts.push_back(std::move(r.findings.front()));
    } else {
      ++c.missed;
    }
    // Three seeds in a row without a finding at the full budget: a miss; the other seeds
    // would cost 10,000 executions each to say the same.
    if (c.found.empty() && c.missed >= miss_seeds_max) {
      c.cut = true;
      break;
    }
  }
  return c;
}

std::string cell_text(const Cell& c, std::uint64_t max) {
  if (c.found.empty()) return c.cut ? "miss (" + std::to_string(c.missed) + " seeds)" : "miss";
  std::uint64_t med = c.median();
  std::string m = med ? std::to_string(med) : ">" + std::to_string(max);
  std::string worst = c.missed ? ">" + std::to_string(max) : std::to_string(*std::max_element(c.found.begin(), c.found.end()));
  return m + " / " + worst;
}

std::string kind_text(const Cell& c) {
  std::string out;
  for (const auto& [k, n] : c.kinds) out += (out.empty() ? "" : ",") + k;
  return out.empty() ? "-" : out;
}

// "max / fewest": the most preemptions a shrunk portfolio finding kept, and the fewest
// known ("min" appended when proven). "-" when there is nothing to say.
std::string preemption_text(const detection::Bug& bug, const Cell& portfolio, const Args& a) {
  std::size_t worst = 0, best = ~std::size_t(0);
  for (const model::Finding& f : portfolio.firsts) {
    model::Schedule shrunk = model::shrink(f.schedule, f.violation.kind, bug.bug);
    std::size_t p = model::count_preemptions(shrunk, bug.bug);
    worst = std::max(worst, p);
    best = std::min(best, p);
  }
  std::size_t fewest = best;
  bool proven = false;
  bool lower_clean = true;  // every bound below B searched exhaustively, nothing found
  for (std::uint32_t b = 0; b <= 3 && b < fewest; ++b) {
    model::ExploreReport r = model::explore(base(bug.name, "dpor:" + std::to_string(b), 0, a.preemption_cap), bug.bug);
    if (!r.findings.empty()) {
      fewest = b;
      proven = lower_clean;
      break;
    }
    lower_clean = lower_clean && r.exhaustive;
  }
  if (!proven && fewest == best && best != ~std::size_t(0) && lower_clean && best <= 4) proven = true;
  if (portfolio.firsts.empty()) return fewest == ~std::size_t(0) ? "-" : "- / " + std::to_string(fewest);
  return std::to_string(worst) + " / " + std::to_string(fewest) + (proven ? " min" : "");
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  std::vector<const detection::Bug*> bugs;
  for (const detection::Bug& b : detection::all_bugs())
    if (a.bugs.empty() || std::find(a.bugs.begin(), a.bugs.end(), b.name) != a.bugs.end()) bugs.push_back(&b);
  for (const std::string& name : a.bugs)  // a misspelt name is an error, not a smaller table
    if (std::none_of(bugs.begin(), bugs.end(), [&](const detection::Bug* b) { return b->name == name; })) {
      std::string known;
      for (const detection::Bug& b : detection::all_bugs()) known += (known.empty() ? "" : ", ") + b.name;
      usage("--bugs: no bug named '" + name + "' (the suite: " + known + ")");
    }

  const char* sep = a.markdown ? " | " : "  ";
  std::printf("%s%-16s%s%-14s", a.markdown ? "| " : "", "bug", sep, "expected");
  for (const std::string& s : a.strategies) std::printf("%s%-15s", sep, s.c_str());
  std::printf("%s%-14s%s%-10s", sep, "kind found", sep, "twin");
  for (const std::string& s : a.exhaustive) std::printf("%s%-22s", sep, ("twin " + s).c_str());
  if (a.preemption_cap) std::printf("%s%-16s", sep, "preemptions");
  std::printf("%s\n", a.markdown ? " |" : "");
  if (a.markdown) {
    std::printf("|---|---|");
    for (std::size_t i = 0; i < a.strategies.size(); ++i) std::printf("---:|");
    std::printf("---|---|");
    for (std::size_t i = 0; i < a.exhaustive.size(); ++i) std::printf("---|");
    if (a.preemption_cap) std::printf("---:|");
    std::printf("\n");
  }

  int wrong = 0;
  for (const detection::Bug* bug : bugs) {
    std::printf("%s%-16s%s%-14s", a.markdown ? "| " : "", bug->name.c_str(), sep, to_string(bug->kind));
    std::fflush(stdout);
    Cell portfolio;
    for (const std::string& s : a.strategies) {
      Cell c = measure(*bug, s, a);
      if (s == "portfolio") portfolio = c;
      std::printf("%s%-15s", sep, cell_text(c, a.max).c_str());
      std::fflush(stdout);
    }
    std::printf("%s%-14s", sep, kind_text(portfolio).c_str());
    // The twin: the default strategy's budget, then each exhaustive search.
    model::ExploreReport twin = model::explore(base(bug->name + ".twin", "portfolio", 0, a.twin_budget), bug->twin);
    std::string twin_text = twin.findings.empty() ? "clean" : std::string("FLAGGED ") + to_string(twin.findings.front().violation.kind);
    std::printf("%s%-10s", sep, twin_text.c_str());
    for (const std::string& s : a.exhaustive) {
      model::ExploreReport e = model::explore(base(bug->name + ".twin", s, 0, a.exhaustive_cap), bug->twin);
      std::string t = !e.findings.empty() ? std::string("FLAGGED ") + to_string(e.findings.front().violation.kind)
                      : e.exhaustive      ? "exhaustive in " + std::to_string(e.executions)
                                          : "cap " + std::to_string(e.executions) + ", not done";
      std::printf("%s%-22s", sep, t.c_str());
    }
    if (a.preemption_cap) std::printf("%s%-16s", sep, preemption_text(*bug, portfolio, a).c_str());
    std::printf("%s\n", a.markdown ? " |" : "");
    bool right_kind = portfolio.kinds.size() == 1 && portfolio.kinds.begin()->first == to_string(bug->kind);
    if (!right_kind || portfolio.missed || !twin.findings.empty()) ++wrong;
  }
  std::printf("\ncells: median / max executions to the first violation over %llu seeds (max %llu each; "
              "'>max': a seed did not find it; 'miss (3 seeds)': the first 3 seeds found nothing, the rest were "
              "not run). twin: %llu portfolio executions.\n",
              static_cast<unsigned long long>(a.seeds), static_cast<unsigned long long>(a.max),
              static_cast<unsigned long long>(a.twin_budget));
  if (a.preemption_cap)
    std::printf("preemptions: the most a shrunk portfolio finding kept / the fewest known (dpor:B for B <= 3, at "
                "most %llu executions each, or a shrunk finding); 'min': every smaller bound was searched "
                "exhaustively without a finding.\n",
                static_cast<unsigned long long>(a.preemption_cap));
  std::printf("bugs missed by the portfolio, reported with a wrong kind, or twins flagged: %d of %zu\n", wrong,
              bugs.size());
  return 0;
}
