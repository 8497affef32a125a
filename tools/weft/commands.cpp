#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "weft/model/finding_file.hpp"
#include "weft/render/render.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

namespace {

void check_strategy(const std::string& s) {
  try {
    model::validate_strategy(s);
  } catch (const std::invalid_argument& e) {
    throw UsageError{std::string("--strategy: ") + e.what()};
  }
  if (s == "replay") throw UsageError{"--strategy: replay takes a schedule: use weft replay FILE|TOKEN"};
  if (s == "mutate") throw UsageError{"--strategy: mutate takes a corpus entry: weft fuzz runs it (--feedback on)"};
}

std::string location_list(const Violation& v) {
  std::string s;
  for (std::size_t i = 0; i < v.locations.size(); ++i) s += (i ? ", " : "") + v.locations[i];
  return s;
}

void print_violation(const Violation& v, const std::string& token, const Artefacts* a, Nanos time) {
  // Messages often name their kind already ("deadlock: ui waits for ..."): say it once.
  std::string kind = to_string(v.kind);
  std::string_view msg = v.message;
  if (msg.rfind(kind + ": ", 0) == 0) msg.remove_prefix(kind.size() + 2);
  std::printf("VIOLATION %s: %.*s\n", kind.c_str(), int(msg.size()), msg.data());
  if (!v.locations.empty()) std::printf("  at: %s\n", location_list(v).c_str());
  std::printf("  virtual time: %s\n", render::format_duration(time).c_str());
  if (!v.detail.empty()) {
    std::istringstream in(v.detail);
    for (std::string line; std::getline(in, line);) std::printf("  | %s\n", line.c_str());
  }
  if (!token.empty()) std::printf("  replay: weft replay %s\n", token.c_str());
  if (a) std::printf("  artefacts: %s (report.html, report.md, schedule.weft, schedule.svg, sequence.svg, timeline.json)\n", a->dir.c_str());
}

std::string json_violation_fields(const std::string& name, const Violation* v, std::uint64_t executions,
                                  std::uint64_t seed, const std::string& token, const std::string& schedule_file,
                                  std::uint64_t trace_hash, const std::vector<std::string>& artefacts) {
  std::ostringstream o;
  o << "{\"scenario\":\"" << json_escape(name) << "\",\"verdict\":\"" << (v ? "violation" : "pass") << "\",\"kind\":";
  if (v)
    o << "\"" << to_string(v->kind) << "\",\"message\":\"" << json_escape(v->message) << "\"";
  else
    o << "null,\"message\":null";
  o << ",\"executions\":" << executions << ",\"seed\":" << seed << ",\"token\":";
  if (token.empty())
    o << "null";
  else
    o << "\"" << json_escape(token) << "\"";
  o << ",\"schedule_file\":";
  if (schedule_file.empty())
    o << "null";
  else
    o << "\"" << json_escape(schedule_file) << "\"";
  // A run of many executions that found nothing has no one trace: null, not a zero hash.
  if (v || trace_hash)
    o << ",\"trace_hash\":\"" << hex64(trace_hash) << "\"";
  else
    o << ",\"trace_hash\":null";
  o << ",\"trace_schema\":" << trace::kTraceSchema;
  o << ",\"artefacts\":[";
  for (std::size_t i = 0; i < artefacts.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(artefacts[i]) << "\"";
  o << "]}";
  return o.str();
}

std::string out_dir_for(const Args& a, const Target& t) {
  return (fs::path(a.get("--out", "out")) / path_component(t.full_name())).string();
}

}  // namespace

int cmd_list(const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError{"weft list takes no arguments"};
  for (auto& s : scenarios::all())
    std::printf("%-22s %-15s %s\n", s.name.c_str(), to_string(s.expected), s.summary.c_str());
  return exit_ok;
}

int cmd_run(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {"--strategy", "--iterations", "--seed", "--out", "--warnings"},
                       {"--json", "--all", "--full", "--no-render"});
  if (a.positional.size() != 1) throw UsageError{synopsis("run")};
  check_out_dir(a.get("--out", "out"));
  Target t = resolve(a.positional[0]);
  model::ExploreOptions o = t.scenario->options;
  o.name = t.full_name();
  if (a.has("--strategy")) {
    check_strategy(a.get("--strategy"));
    o.strategy = a.get("--strategy");
  }
  o.iterations = a.get_u64("--iterations", o.iterations);
  if (o.iterations == 0) throw UsageError{"--iterations: must be at least 1"};
  o.seed = a.get_u64("--seed", o.seed);
  if (a.has("--all")) o.stop_at_first = false;
  if (a.has("--warnings") && !model::parse_warnings(a.get("--warnings"), o.warnings))
    throw UsageError{"--warnings: expected off, report or error, got '" + a.get("--warnings") + "'"};
  bool json = a.has("--json");
  auto report = model::explore(o, t.body(), checker_for(t));
  if (report.findings.empty()) {
    if (json)
      std::printf("%s\n", json_violation_fields(t.full_name(), nullptr, report.executions, o.seed, "", "", 0, {}).c_str());
    else
      std::printf("%s: no violation in %llu executions (%llu distinct schedules%s)\n", t.full_name().c_str(),
                  static_cast<unsigned long long>(report.executions),
                  static_cast<unsigned long long>(report.distinct_schedules),
                  report.coverage.empty() ? "" : ("; dfs " + report.coverage).c_str());
    return exit_ok;
  }
  const model::Finding& f = report.findings.front();
  Artefacts art = write_artefacts(out_dir_for(a, t), t, f, RenderOptions{a.has("--full"), a.has("--no-render")});
  if (json) {
    std::printf("%s\n", json_violation_fields(t.full_name(), &f.violation, report.executions, o.seed, art.token,
                                              art.schedule_file, f.trace_hash, art.files)
                            .c_str());
  } else {
    std::printf("%s: found after %s (%llu explored)\n", t.full_name().c_str(),
                model::count_of(report.executions_to_first_bug.value_or(report.executions), "execution").c_str(),
                static_cast<unsigned long long>(report.executions));
    print_violation(f.violation, art.token, &art, f.result.end_time);
    for (std::size_t i = 1; i < report.findings.size(); ++i)
      std::printf("also: %s%s: %s\n", to_string(report.findings[i].violation.kind),
                  report.findings[i].violation.severity == Severity::warning ? " (warning)" : "",
                  report.findings[i].violation.message.c_str());
    if (report.warnings)
      std::printf("warnings seen: %llu (--warnings %s)\n", static_cast<unsigned long long>(report.warnings),
                  model::to_string(o.warnings));
  }
  return exit_violation;
}

namespace {
// A directory stands for its schedule.weft (an artefact directory).
std::string schedule_argument(const std::string& arg) {
  std::error_code ec;
  if (arg.rfind("w1.", 0) != 0 && arg.rfind("w2.", 0) != 0 && fs::is_directory(arg, ec)) return (fs::path(arg) / "schedule.weft").string();
  return arg;
}

bool registered(const std::string& name) {
  try {
    resolve(name);
    return true;
  } catch (const UsageError&) {
    return false;
  }
}

// A weft::check finding: its body is in the user's test binary, not in this one; its
// execution is recorded in finding.weft beside the schedule. Nullopt when the schedule names
// a registered scenario; a UsageError when it names neither.
std::optional<model::RecordedFinding> recorded_finding(const std::string& arg) {
  std::string path = schedule_argument(arg);
  const std::string text = read_file_or_token(path);  // read once: a finding or a schedule
  if (text.rfind("weft-finding ", 0) == 0) {
    // finding.weft itself, named rather than its directory or the schedule beside it.
    std::string error;
    auto rec = model::parse_finding_file(text, error);
    if (!rec) throw UsageError{path + ": " + error};
    return rec;
  }
  std::error_code ec;
  auto parsed = model::parse_token_or_file(text);
  if (!parsed.ok()) throw UsageError{parsed.error().message};
  const std::string& name = parsed.value().scenario;
  if (registered(name)) return std::nullopt;
  fs::path beside = fs::path(path).parent_path() / "finding.weft";
  if (path.rfind("w1.", 0) == 0 || path.rfind("w2.", 0) == 0 || !fs::is_regular_file(path, ec) || !fs::is_regular_file(beside, ec))
    throw UsageError{"unknown scenario '" + name +
                     "' (weft list shows the names; a weft::check finding is read from its artefact directory, "
                     "where finding.weft lies beside schedule.weft)"};
  std::string error;
  auto rec = model::parse_finding_file(read_file_or_token(beside.string()), error);
  if (!rec) throw UsageError{beside.string() + ": " + error};
  if (rec->name != name)
    throw UsageError{beside.string() + ": records '" + rec->name + "', the schedule is for '" + name + "'"};
  return rec;
}
}  // namespace

namespace {
struct Replayed {
  Target target;
  model::Schedule schedule;
  model::ReplayResult r;
};
Replayed do_replay(const std::string& arg) {
  std::string text = read_file_or_token(schedule_argument(arg));
  auto parsed = model::parse_token_or_file(text);
  if (!parsed.ok()) throw UsageError{parsed.error().message};
  model::Schedule s = std::move(parsed).value();
  Target t = resolve(s.scenario);
  sim::Options so = t.scenario->options.sim;
  so.granularity = s.granularity == "fine" ? sim::Granularity::fine : sim::Granularity::coarse;
  if ((s.decisions.empty() && s.strategy != "replay" && s.strategy.rfind("portfolio/", 0) != 0) || s.strategy == "mutate") {
    // A campaign's crash or hang finding: the seed alone reproduces it (the strategy's
    // first execution is a function of the seed), since the crashing process could not
    // record decisions; for a mutation of a corpus entry ("mutate"), the seed and the
    // decisions it kept from the entry.
    try {
      model::validate_strategy(s.strategy);
    } catch (const std::invalid_argument& e) {
      throw UsageError{std::string("schedule without decisions: ") + e.what()};
    }
    model::ExploreOptions o = t.scenario->options;
    o.name = t.full_name();
    o.strategy = s.strategy;
    o.seed = s.seed;
    o.iterations = 1;
    o.shrink = false;
    o.sim = so;
    if (s.strategy == "mutate") o.schedule = s;
    auto rep = model::explore(o, t.body(), checker_for(t));
    model::ReplayResult r;
    if (!rep.findings.empty()) {
      r.violations.push_back(rep.findings.front().violation);
      r.trace = rep.findings.front().trace;
      r.result = rep.findings.front().result;
    }
    return Replayed{t, std::move(s), std::move(r)};
  }
  auto r = model::replay(s, t.body(), checker_for(t), so);
  return Replayed{t, std::move(s), std::move(r)};
}
}  // namespace

int cmd_replay(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {"--out"}, {"--json", "--full", "--no-render"});
  if (a.positional.size() != 1) throw UsageError{synopsis("replay")};
  check_out_dir(a.get("--out", "out"));
  if (auto rec = recorded_finding(a.positional[0])) {
    // Not re-run here: the body lives in the test binary. Show what was recorded and how
    // to replay it there.
    const Violation* v = rec->violations.empty() ? nullptr : &rec->violations.front();
    if (a.has("--json")) {
      std::printf("%s\n", json_violation_fields(rec->name, v, 1, 0, "", schedule_argument(a.positional[0]),
                                                rec->trace_hash, {})
                              .c_str());
    } else {
      std::printf("%s: recorded by weft::check (its body is in the test binary, not in weft)\n", rec->name.c_str());
      for (const Violation& x : rec->violations) print_violation(x, "", nullptr, rec->end_time);
      std::printf("  trace hash (recorded): %s\n", hex64(rec->trace_hash).c_str());
      std::printf("  replay it through the test binary: %s\n", rec->replay_command.c_str());
    }
    return v ? exit_violation : exit_ok;
  }
  Replayed rp = do_replay(a.positional[0]);
  const Violation* v = nullptr;
  Violation div;
  if (rp.r.diverged) {
    div.kind = ViolationKind::nondeterminism;
    div.message = rp.r.divergence;
    v = &div;
  } else if (!rp.r.violations.empty()) {
    v = &rp.r.violations.front();
  }
  std::string token = model::to_token(rp.schedule);
  Artefacts art;
  if (v) {
    model::Finding f;
    f.violation = *v;
    f.schedule = rp.schedule;
    f.trace = rp.r.trace;
    f.result = rp.r.result;
    f.trace_hash = rp.r.result.trace_hash;
    art = write_artefacts(out_dir_for(a, rp.target), rp.target, f, RenderOptions{a.has("--full"), a.has("--no-render")});
  }
  if (a.has("--json")) {
    std::printf("%s\n", json_violation_fields(rp.target.full_name(), v, 1, rp.schedule.seed, token, art.schedule_file,
                                              rp.r.result.trace_hash, art.files)
                            .c_str());
  } else if (v) {
    print_violation(*v, token, &art, rp.r.result.end_time);
    std::printf("  trace hash: %s\n", hex64(rp.r.result.trace_hash).c_str());
  } else {
    std::printf("%s: replayed, no violation (trace hash %s)\n", rp.target.full_name().c_str(),
                hex64(rp.r.result.trace_hash).c_str());
  }
  return v ? exit_violation : exit_ok;
}

int cmd_render(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {"-o", "--output"}, {"--full"});
  std::string out = a.get("-o", a.get("--output"));
  if (a.positional.size() != 1 || out.empty())
    throw UsageError{synopsis("render")};
  auto ext = fs::path(out).extension().string();
  if (ext != ".svg" && ext != ".png" && ext != ".dot" && ext != ".json" && ext != ".md" && ext != ".mmd" && ext != ".html")
    throw UsageError{"render: unknown output format '" + ext + "' (use .svg, .png, .dot, .json, .md, .mmd, .html or .seq.svg)"};
  const bool full = a.has("--full");
  bool graph = full && (ext == ".svg" || ext == ".png" || ext == ".dot" || ext == ".html");
  if (auto rec = recorded_finding(a.positional[0])) {
    // Drawn from the recorded trace: the body is not in this binary.
    const Violation* v = rec->violations.empty() ? nullptr : &rec->violations.front();
    Window w = window(rec->trace, v ? *v : Violation{}, graph ? model::graph_records_max : rec->trace.records.size());
    std::string title = rec->name;
    if (w.dropped_before) title += " (last steps; " + std::to_string(w.dropped_before) + " earlier records omitted)";
    render::make_paths_relative(w.trace, &w.violation);
    render::RenderInput in{w.trace, v ? &w.violation : nullptr, title, rec->replay_command,
                           fs::path(out).replace_extension(".svg").filename().string()};
    in.full = full;
    std::string err;
    if (!render::render_file(in, out, err)) throw UsageError{"render: " + err};
    std::printf("wrote %s\n", out.c_str());
    return exit_ok;
  }
  Replayed rp = do_replay(a.positional[0]);
  const Violation* v = rp.r.violations.empty() ? nullptr : &rp.r.violations.front();
  std::string token = model::to_token(rp.schedule);
  Window w = window(rp.r.trace, v ? *v : Violation{}, graph ? model::graph_records_max : rp.r.trace.records.size());
  render::make_paths_relative(w.trace, &w.violation);
  std::string title = rp.target.full_name();
  if (w.dropped_before) title += " (last steps; " + std::to_string(w.dropped_before) + " earlier records omitted)";
  render::RenderInput in{w.trace, v ? &w.violation : nullptr, title, "weft replay " + token,
                         fs::path(out).replace_extension(".svg").filename().string()};
  in.full = full;
  std::string err;
  // Graphviz loads its plugins on the first layout of a process (a fixed cost, paid once per
  // process however many pictures follow): paid here first, so the time printed is this picture's.
  auto warm = std::chrono::steady_clock::now();
  bool sequence = out.size() > 8 && out.compare(out.size() - 8, 8, ".seq.svg") == 0;
  if ((ext == ".svg" && !sequence) || ext == ".png" || ext == ".html") {
    std::string ignored_svg, ignored_error;
    render::layout("digraph { a }", "svg", ignored_svg, ignored_error);
  }
  auto start = std::chrono::steady_clock::now();
  double startup_ms = std::chrono::duration<double, std::milli>(start - warm).count();
  if (!render::render_file(in, out, err)) throw UsageError{"render: " + err};
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::string size;
  if (ext == ".svg" && !sequence) {
    std::ifstream f(out, std::ios::binary);
    std::string svg((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto [wpx, hpx] = render::svg_size_px(svg);
    if (wpx) size = " (" + std::to_string(wpx) + "x" + std::to_string(hpx) + " px";
    char buf[96];
    std::snprintf(buf, sizeof buf, ", rendered in %.1f ms; Graphviz start-up %.1f ms)", ms, startup_ms);
    if (!size.empty()) size += buf;
  }
  std::printf("wrote %s%s\n", out.c_str(), size.c_str());
  return exit_ok;
}

}  // namespace weft::cli
