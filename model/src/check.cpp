#include "weft/model/check.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace weft {

namespace {

std::uint64_t parse_number(const char* name, const char* text) {
  std::string s(text);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument(std::string(name) + "=\"" + s + "\": expected a non-negative integer");
  return std::stoull(s);
}

std::string sanitized(std::string name) {
  if (name.empty()) name = "weft";
  for (char& ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      ch = '_';
  return name;
}

// Where the artefacts of the failing run were written, or why they were not.
std::string write_artefacts(const model::ExploreOptions& options, const model::Finding& f) {
  const char* out = std::getenv("WEFT_OUT");
  std::filesystem::path dir = out && *out ? out : "weft-out";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::path base = dir / sanitized(options.name);
  std::filesystem::path schedule_path = base.string() + ".schedule";
  std::filesystem::path trace_path = base.string() + ".trace.txt";
  std::ofstream schedule_file(schedule_path);
  schedule_file << model::to_file(f.schedule);
  std::ofstream trace_file(trace_path);
  trace_file << f.trace.dump();
  if (!schedule_file || !trace_file) return "could not write artefacts to " + dir.string();
  return schedule_path.string() + ", " + trace_path.string();
}

thread_local std::string g_last_artefacts;  // filled by check(), read by failure_message()

}  // namespace

void apply_environment(model::ExploreOptions& options) {
  if (const char* v = std::getenv("WEFT_SEED"); v && *v) options.seed = parse_number("WEFT_SEED", v);
  if (const char* v = std::getenv("WEFT_ITERATIONS"); v && *v) options.iterations = parse_number("WEFT_ITERATIONS", v);
  if (const char* v = std::getenv("WEFT_STRATEGY"); v && *v) options.strategy = v;
  if (const char* v = std::getenv("WEFT_REPLAY"); v && *v) {
    std::string text = v;
    std::string_view trimmed = text;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    if (!(trimmed.size() > 1 && trimmed[0] == 'w' && trimmed[1] >= '0' && trimmed[1] <= '9')) {
      std::ifstream in{std::string(trimmed)};
      if (!in) throw std::invalid_argument("WEFT_REPLAY=\"" + text + "\": neither a w1.… token nor a readable file");
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    model::Parsed parsed = model::parse_token_or_file(text);
    if (!parsed) throw std::invalid_argument("WEFT_REPLAY: " + parsed.error().message);
    options.schedule = parsed.value();
    options.strategy = "replay";
    options.iterations = 1;
    options.shrink = false;
    options.nondeterminism_check_every = 0;
  }
}

model::ExploreReport check(model::ExploreOptions options, const model::Body& body, const model::Checker& checker) {
  apply_environment(options);
  model::ExploreReport report = model::explore(options, body, checker);
  g_last_artefacts.clear();
  if (!report.findings.empty()) g_last_artefacts = write_artefacts(options, report.findings.front());
  return report;
}

std::string failure_message(const model::ExploreReport& report) {
  if (report.findings.empty()) return {};
  const model::Finding& f = report.findings.front();
  std::string msg = std::string("weft: ") + to_string(f.violation.kind) + ": " + f.violation.message + "\n";
  msg += "  found after " + std::to_string(report.executions_to_first_bug.value_or(0)) + " executions (" +
         f.schedule.strategy + ", seed " + std::to_string(f.schedule.seed) + ")";
  if (report.findings.size() > 1) msg += "; " + std::to_string(report.findings.size() - 1) + " more distinct violation(s)";
  msg += "\n  reproduce: WEFT_REPLAY=" + model::to_token(f.schedule) + "\n";
  if (!g_last_artefacts.empty()) msg += "  artefacts: " + g_last_artefacts + "\n";
  return msg;
}

}  // namespace weft
