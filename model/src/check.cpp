#include "weft/model/check.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "weft/model/artefacts.hpp"
#include "watchdog.hpp"  // tools/check/

namespace fs = std::filesystem;

namespace weft {

namespace model {

namespace {
// Lower runs first: what the harness itself doubts, then what stops the program (and so
// produces the rest), then what it does wrong while running, then what it leaves behind.
int cause_rank(ViolationKind k) {
  switch (k) {
    case ViolationKind::nondeterminism: return 0;
    case ViolationKind::crash: return 1;
    case ViolationKind::deadlock: return 2;
    case ViolationKind::hang: return 3;
    case ViolationKind::limit: return 4;
    case ViolationKind::starvation: return 5;
    case ViolationKind::invariant: return 6;
    case ViolationKind::misuse: return 7;
    case ViolationKind::cancellation: return 8;
    case ViolationKind::lost_exception: return 9;
    case ViolationKind::none: return 10;
  }
  return 10;
}
bool before(const Violation& a, const Violation& b) {
  if (a.severity != b.severity) return a.severity == Severity::error;
  return cause_rank(a.kind) < cause_rank(b.kind);
}
}  // namespace

void order_by_cause(std::vector<Violation>& violations) { std::stable_sort(violations.begin(), violations.end(), before); }
void order_by_cause(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return before(a.violation, b.violation); });
}

}  // namespace model

namespace {

std::uint64_t parse_number(const char* name, const char* text) {
  std::string s(text);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument(std::string(name) + "=\"" + s + "\": expected a non-negative integer");
  return std::stoull(s);
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

std::string sanitized(std::string name) {
  if (name.empty()) name = "weft";
  for (char& ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      ch = '_';
  return name;
}

// A word the shell passes through as is, else single-quoted.
std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("-_./=:+@,").find(c) != std::string_view::npos);
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The test binary, relative to the working directory (nothing absolute goes into a message
// or a file), so that the replay line can be pasted where the test ran.
std::string test_binary() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "<test binary>";
  fs::path rel = exe.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty()) return "<test binary>";
  std::string s = rel.string();
  if (s.find('/') == std::string::npos) s = "./" + s;
  return s;
}

// WEFT_REPLAY: a token, a schedule file, or an artefact directory (its schedule.weft).
std::optional<model::Schedule> replay_schedule() {
  const char* v = env("WEFT_REPLAY");
  if (!v) return std::nullopt;
  std::string text = v;
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
  if (!(trimmed.size() > 1 && trimmed[0] == 'w' && trimmed[1] >= '0' && trimmed[1] <= '9')) {
    fs::path p{std::string(trimmed)};
    std::error_code ec;
    if (fs::is_directory(p, ec)) p /= "schedule.weft";
    std::ifstream in(p);
    if (!in) throw std::invalid_argument("WEFT_REPLAY=\"" + text + "\": neither a w1./w2. token nor a readable schedule file or artefact directory");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  model::Parsed parsed = model::parse_token_or_file(text);
  if (!parsed) throw std::invalid_argument("WEFT_REPLAY: " + parsed.error().message);
  return std::move(parsed).value();
}

void use_schedule(model::ExploreOptions& options, model::Schedule s) {
  options.seed = s.seed;
  options.schedule = std::move(s);
  options.strategy = "replay";
  options.iterations = 1;
  options.shrink = false;
  options.nondeterminism_check_every = 0;
}

// What failure_message() needs beyond the report: filled by check(), per thread.
struct Written {
  std::string dir;
  std::string schedule_file;
  std::string token;
  std::string replay;  // without the test filter
};
struct LastCheck {
  std::uint64_t first_hash = 0;
  std::size_t findings = 0;
  std::vector<Written> written;  // per finding (report order)
  std::vector<std::string> errors;
};
thread_local LastCheck g_last;

std::string without_kind(const Violation& v) {
  std::string kind = to_string(v.kind);
  std::string_view msg = v.message;
  if (msg.rfind(kind + ": ", 0) == 0) msg.remove_prefix(kind.size() + 2);
  return std::string(msg);
}

// The explorer shrinks the first finding only; the others found in the same execution keep
// the unshrunk schedule. When the shrunk one still shows them, they take it: one execution,
// one directory, one replay line.
void share_shrunk_schedule(model::ExploreReport& report, const model::ExploreOptions& options, const model::Body& body,
                           const model::Checker& checker) {
  const model::Finding& first = report.findings.front();
  bool others = false;
  for (std::size_t i = 1; i < report.findings.size(); ++i)
    others = others || (report.findings[i].execution == first.execution && report.findings[i].schedule != first.schedule);
  if (!others || first.violation.kind == ViolationKind::hang) return;
  model::ReplayResult rr = model::replay(first.schedule, body, checker, options.sim);
  if (rr.diverged || rr.result.trace_hash != first.trace_hash) return;
  for (std::size_t i = 1; i < report.findings.size(); ++i) {
    model::Finding& f = report.findings[i];
    if (f.execution != first.execution || f.schedule == first.schedule) continue;
    std::string signature = f.violation.signature();
    for (const Violation& v : rr.violations)
      if (v.signature() == signature) {
        f.violation = v;
        f.schedule = first.schedule;
        f.trace = first.trace;
        f.result = first.result;
        f.trace_hash = first.trace_hash;
        break;
      }
  }
}

}  // namespace

void apply_environment(model::ExploreOptions& options) {
  if (const char* v = env("WEFT_SEED")) options.seed = parse_number("WEFT_SEED", v);
  if (const char* v = env("WEFT_ITERATIONS")) options.iterations = parse_number("WEFT_ITERATIONS", v);
  if (const char* v = env("WEFT_STRATEGY")) options.strategy = v;
  if (const char* v = env("WEFT_WARNINGS"))
    if (!model::parse_warnings(v, options.warnings))
      throw std::invalid_argument(std::string("WEFT_WARNINGS=\"") + v + "\": expected off, report or error");
  if (const char* v = env("WEFT_STACK_KB")) {
    std::uint64_t kb = parse_number("WEFT_STACK_KB", v);
    if (kb < 16 || kb > 1024 * 1024) throw std::invalid_argument("WEFT_STACK_KB: expected 16 to 1048576 (KiB per virtual thread)");
    options.sim.stack_bytes = std::size_t(kb) * 1024;
  }
  if (auto s = replay_schedule(); s && s->scenario == options.name) use_schedule(options, std::move(*s));
}

model::ExploreReport check(model::ExploreOptions options, const model::Body& body, const model::Checker& checker_in) {
  const std::string label = options.name.empty() ? "(unnamed check)" : "'" + options.name + "'";
  g_last = {};
  if (const char* filter = env("WEFT_FILTER"); filter && options.name != filter) {
    std::fprintf(stderr, "weft: %s skipped (WEFT_FILTER=%s)\n", label.c_str(), filter);
    model::ExploreReport skipped;
    skipped.summary = options.name + ": skipped (WEFT_FILTER)";
    return skipped;
  }
  apply_environment(options);
  if (auto s = replay_schedule(); s && s->scenario != options.name)
    std::fprintf(stderr, "weft: %s explored as usual: WEFT_REPLAY is for '%s'\n", label.c_str(), s->scenario.c_str());
  double watchdog_s = 30;
  if (const char* v = env("WEFT_WATCHDOG")) watchdog_s = double(parse_number("WEFT_WATCHDOG", v));

  // Causes first inside each execution too, so that the finding the explorer shrinks is the
  // cause (the deadlock), not a symptom of it (the timeout it made someone lose).
  properties::Config config = options.properties;
  model::Checker inner = checker_in ? checker_in : model::Checker([config](const sim::Trace& t, const sim::RunResult& r) {
    return properties::check_all(t, r, config);
  });
  model::Checker checker = [inner](const sim::Trace& t, const sim::RunResult& r) {
    std::vector<Violation> vs = inner(t, r);
    model::order_by_cause(vs);
    return vs;
  };
  model::ExploreReport report =
      watchdog_s > 0 ? detail::explore_watched(options, body, checker, watchdog_s) : model::explore(options, body, checker);
  if (report.findings.empty()) return report;
  model::order_by_cause(report.findings);
  share_shrunk_schedule(report, options, body, checker);

  // One artefact directory per distinct schedule: the first in <out>/<name>/, the others
  // beside it in finding-<k>/. Each keeps every violation of its execution.
  const char* out = env("WEFT_OUT");
  fs::path base = fs::path(out ? out : "weft-out") / sanitized(options.name);
  const std::string binary = test_binary();
  g_last.first_hash = report.findings.front().trace_hash;
  g_last.findings = report.findings.size();
  std::vector<std::size_t> owner(report.findings.size());
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    owner[i] = i;
    for (std::size_t j = 0; j < i; ++j)
      if (report.findings[j].schedule == report.findings[i].schedule) {
        owner[i] = owner[j];
        break;
      }
  }
  std::size_t dirs = 0;
  g_last.written.resize(report.findings.size());
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    if (owner[i] != i) {
      g_last.written[i] = g_last.written[owner[i]];
      continue;
    }
    const model::Finding& f = report.findings[i];
    fs::path dir = dirs++ == 0 ? base : base / ("finding-" + std::to_string(dirs));
    std::string schedule_file = (dir / "schedule.weft").string();
    std::string replay = "WEFT_REPLAY=" + shell_word(schedule_file) + " " + shell_word(binary);
    model::ArtefactInput in{options.name.empty() ? "weft::check" : options.name, replay, &f, {}};
    for (std::size_t j = i; j < report.findings.size(); ++j)
      if (owner[j] == i) in.violations.push_back(report.findings[j].violation);
    Written& wr = g_last.written[i];
    try {
      model::Artefacts a = model::write_artefacts(dir.string(), in);
      wr = Written{a.dir, a.schedule_file, a.token, replay};
      for (auto& e : a.errors) g_last.errors.push_back(e);
    } catch (const std::exception& e) {
      wr = Written{"", "", model::to_token(f.schedule), "WEFT_REPLAY=" + model::to_token(f.schedule) + " " + shell_word(binary)};
      g_last.errors.push_back(e.what());
    }
    // Unwrapped, whatever the test framework does to the failure message.
    std::fprintf(stderr, "weft: %s: replay: %s\n", label.c_str(), wr.replay.c_str());
    std::fprintf(stderr, "weft: %s: replay token%s: %s\n", label.c_str(),
                 wr.dir.empty() ? "" : (" (also in " + (fs::path(wr.dir) / "token.txt").string() + ")").c_str(),
                 wr.token.c_str());
  }
  return report;
}

std::string failure_message(const model::ExploreReport& report, const std::string& test_name) {
  if (report.findings.empty()) return {};
  // check() ordered the findings (errors first, causes before symptoms) and wrote them.
  const auto& fs = report.findings;
  const model::Finding& first = fs.front();
  bool ours = g_last.findings == fs.size() && g_last.first_hash == first.trace_hash;
  std::string name = first.schedule.scenario.empty() ? "weft::check" : first.schedule.scenario;
  std::string msg = "weft: " + name + ": " + std::to_string(fs.size()) + " finding" + (fs.size() == 1 ? "" : "s") +
                    " after " + model::count_of(report.executions_to_first_bug.value_or(report.executions), "execution") + " (" +
                    first.schedule.strategy + ", seed " + std::to_string(first.schedule.seed) + ")\n";
  std::string filter = test_name.empty() ? "" : " " + shell_word(test_name);
  for (std::size_t k = 0; k < fs.size(); ++k) {
    const model::Finding& f = fs[k];
    const Violation& v = f.violation;
    msg += "  " + std::to_string(k + 1) + ". " + to_string(v.kind) + (v.severity == Severity::warning ? " (warning)" : "") +
           ": " + without_kind(v) + "\n";
    if (!v.locations.empty()) {
      msg += "     at:";
      for (std::size_t i = 0; i < v.locations.size(); ++i) msg += (i ? ", " : " ") + v.locations[i];
      msg += "\n";
    }
    if (!v.detail.empty()) {
      std::istringstream in(v.detail);
      for (std::string line; std::getline(in, line);) msg += "     | " + line + "\n";
    }
    // After the last finding of each execution: how to get it back.
    if (k + 1 < fs.size() && fs[k + 1].schedule == f.schedule) continue;
    const Written* w = ours && k < g_last.written.size() ? &g_last.written[k] : nullptr;
    msg += "  replay: " + (w ? w->replay : "WEFT_REPLAY=" + model::to_token(f.schedule) + " <test binary>") + filter + "\n";
    char hash[20];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(f.trace_hash));
    msg += "  trace hash: " + std::string(hash) + "\n";
    if (w && !w->dir.empty())
      msg += "  artefacts: " + w->dir + "/ (report.html, report.md, schedule.svg, sequence.svg, timeline.json, schedule.weft, token.txt, finding.weft)\n";
  }
  if (ours)
    for (const auto& e : g_last.errors) msg += "  note: " + e + "\n";
  msg += "  (each replay token is printed whole on stderr and saved in token.txt)\n";
  return msg;
}

}  // namespace weft
