#include "weft/model/artefacts.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "weft/model/finding_file.hpp"
#include "weft/render/render.hpp"

namespace fs = std::filesystem;

namespace weft::model {

namespace {
void write_text(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}
}  // namespace

Window window(const sim::Trace& trace, const Violation& v, std::size_t max_records) {
  Window w{trace, v, 0};
  std::size_t n = trace.records.size();
  if (n <= max_records) return w;
  // Anchor on the first highlighted record when there is one, else on the end.
  std::size_t first = n, last = 0;
  for (auto r : v.records)
    if (r < n) {
      first = std::min<std::size_t>(first, r);
      last = std::max<std::size_t>(last, r);
    }
  std::size_t end = n;
  if (first < n) end = std::min(n, std::max(last + 1, first + max_records / 2) + max_records / 4);
  std::size_t begin = end > max_records ? end - max_records : 0;
  w.trace.records.assign(trace.records.begin() + long(begin), trace.records.begin() + long(end));
  w.violation.records.clear();
  for (auto r : v.records)
    if (r >= begin && r < end) w.violation.records.push_back(std::uint32_t(r - begin));
  w.dropped_before = begin;
  return w;
}

Artefacts write_artefacts(const std::string& dir, const ArtefactInput& in) {
  const Finding& f = *in.finding;
  Artefacts a;
  fs::path d(dir);
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) throw std::runtime_error("cannot create " + d.string() + ": " + ec.message());
  a.dir = d.string();
  a.token = to_token(f.schedule);
  a.schedule_file = (d / "schedule.weft").string();
  write_text(a.schedule_file, to_file(f.schedule));
  write_text(d / "token.txt", a.token + "\n");
  // Reports never carry the build machine's directories: sites relative to the project root.
  sim::Trace trace = f.trace;
  Violation violation = f.violation;
  render::make_paths_relative(trace, &violation);
  write_text(d / "trace.txt", trace::schema_line() + "\n" + trace.dump());
  RecordedFinding rec;
  rec.name = f.schedule.scenario;
  rec.replay_command = in.replay_command;
  rec.trace_hash = f.trace_hash;
  rec.end_time = f.result.end_time;
  rec.violations = in.violations.empty() ? std::vector<Violation>{f.violation} : in.violations;
  rec.trace = trace;  // sites already relative
  for (Violation& v : rec.violations) {
    sim::Trace scratch;
    render::make_paths_relative(scratch, &v);
  }
  write_text(d / "finding.weft", to_finding_file(rec));
  a.files = {a.schedule_file, (d / "token.txt").string(), (d / "trace.txt").string(), (d / "finding.weft").string()};
  // The focused views read the whole execution; the full graph only a window of its end.
  std::string title = in.title;
  Window w{trace, violation, 0};
  if (in.full) {
    w = window(trace, violation, graph_records_max);
    if (w.dropped_before) title += " (last steps; " + std::to_string(w.dropped_before) + " earlier records in trace.txt)";
  }
  render::RenderInput rin{w.trace, &w.violation, title, in.replay_command, "schedule.svg"};
  rin.full = in.full;
  render::MinimalPair pair;
  if (in.pair) {
    pair.found = in.pair->found;
    pair.tried = in.pair->tried;
    pair.decision = in.pair->decision;
    pair.failing = in.pair->failing;
    pair.passing = in.pair->passing;
    pair.sentence = in.pair->sentence;
    if (in.pair->found) pair.passing_token = to_token(in.pair->passing_schedule);
    rin.pair = &pair;
  }
  render::FindingFiles opt;
  opt.layout = in.layout;
  const char* root = std::getenv("WEFT_SOURCE_ROOT");
  opt.source_root = root && *root ? root : ".";
  for (auto& file : render::render_finding(a.dir, rin, opt, a.errors)) a.files.push_back(file);
  return a;
}

}  // namespace weft::model
