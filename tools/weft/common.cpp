#include "common.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "weft/render/render.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

Args Args::parse(const std::vector<std::string>& in, const std::vector<std::string>& with_value,
                 const std::vector<std::string>& switches) {
  Args a;
  auto known = [](const std::vector<std::string>& v, const std::string& f) {
    return std::find(v.begin(), v.end(), f) != v.end();
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::string& s = in[i];
    if (s.size() > 1 && s[0] == '-' && s != "-") {
      std::string name = s, value;
      bool inline_value = false;
      if (auto eq = s.find('='); eq != std::string::npos) {
        name = s.substr(0, eq);
        value = s.substr(eq + 1);
        inline_value = true;
      }
      if (known(switches, name)) {
        if (inline_value) throw UsageError{"flag " + name + " takes no value"};
        a.flags[name] = "";
      } else if (known(with_value, name)) {
        if (!inline_value) {
          if (i + 1 >= in.size()) throw UsageError{"flag " + name + " needs a value"};
          value = in[++i];
        }
        a.flags[name] = value;
      } else {
        throw UsageError{"unknown flag " + name};
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::string Args::get(const std::string& f, const std::string& def) const {
  auto it = flags.find(f);
  return it == flags.end() ? def : it->second;
}

std::uint64_t parse_u64(const std::string& what, const std::string& s) {
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw UsageError{what + ": expected a non-negative integer, got '" + s + "'"};
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE) throw UsageError{what + ": out of range: " + s};
  return v;
}

std::uint64_t Args::get_u64(const std::string& f, std::uint64_t def) const {
  auto it = flags.find(f);
  return it == flags.end() ? def : parse_u64(f, it->second);
}

double parse_duration_s(const std::string& s) {
  if (s.empty()) throw UsageError{"--duration: empty"};
  char unit = s.back();
  double mult = 1;
  std::string num = s;
  if (unit == 'h' || unit == 'm' || unit == 's') {
    mult = unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
    num = s.substr(0, s.size() - 1);
  }
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (num.empty() || !end || *end != '\0' || !(v > 0) || v > 1e7)
    throw UsageError{"--duration: expected e.g. 90s, 30m or 8h, got '" + s + "'"};
  return v * mult;
}

std::string Target::full_name() const {
  return scenario->name + (variant == scenarios::Variant::bug ? ".bug" : ".fix");
}
const std::function<void()>& Target::body() const {
  return variant == scenarios::Variant::bug ? scenario->bug : scenario->fix;
}

Target resolve(const std::string& name) {
  std::string base = name;
  scenarios::Variant v = scenarios::Variant::bug;
  auto ends = [&](const char* suf) {
    std::string s(suf);
    return base.size() > s.size() && base.compare(base.size() - s.size(), s.size(), s) == 0;
  };
  if (ends(".bug")) {
    base.resize(base.size() - 4);
  } else if (ends(".fix")) {
    base.resize(base.size() - 4);
    v = scenarios::Variant::fix;
  }
  const scenarios::Scenario* s = scenarios::find(base);
  if (!s) throw UsageError{"unknown scenario '" + name + "' (weft list shows the names)"};
  return Target{s, v};
}

model::Checker checker_for(const Target& t) {
  properties::Config cfg = t.scenario->options.properties;
  return [cfg](const sim::Trace& tr, const sim::RunResult& r) { return properties::check_all(tr, r, cfg); };
}

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

std::string json_escape(std::string_view s) {
  std::string q = render::json_string(s);
  return q.substr(1, q.size() - 2);  // without the quotes
}

std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string read_file_or_token(const std::string& arg) {
  std::error_code ec;
  if (arg.rfind("w1.", 0) != 0 && fs::is_regular_file(arg, ec)) {
    std::ifstream in(arg, std::ios::binary);
    if (!in) throw UsageError{"cannot read " + arg};
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    if (s.size() > (64u << 20)) throw UsageError{arg + ": larger than 64 MiB: not a schedule"};
    return s;
  }
  if (arg.rfind("w", 0) != 0 && arg.find('/') != std::string::npos)
    throw UsageError{"no such file: " + arg};
  return arg;
}

static constexpr std::size_t graph_records_max = 400;

static void write_text(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

Artefacts write_artefacts(const std::string& dir, const Target& t, const model::Finding& f) {
  Artefacts a;
  fs::path d(dir);
  fs::create_directories(d);
  a.dir = d.string();
  a.token = model::to_token(f.schedule);
  a.schedule_file = (d / "schedule.weft").string();
  write_text(a.schedule_file, model::to_file(f.schedule));
  write_text(d / "token.txt", a.token + "\n");
  write_text(d / "trace.txt", f.trace.dump());
  a.files = {a.schedule_file, (d / "token.txt").string(), (d / "trace.txt").string()};
  // The timeline and the report take the whole execution; the graph a window of it.
  render::RenderInput in{f.trace, &f.violation, t.full_name(), "weft replay " + a.token, "schedule.svg"};
  Window w = window(f.trace, f.violation, graph_records_max);
  std::string title = t.full_name();
  if (w.dropped_before) title += " (last steps; " + std::to_string(w.dropped_before) + " earlier records in trace.txt)";
  render::RenderInput graph{w.trace, &w.violation, title, in.replay_command, "schedule.svg"};
  for (const char* name : {"schedule.dot", "schedule.svg", "timeline.json", "report.md"}) {
    std::string err;
    fs::path p = d / name;
    bool is_graph = p.extension() == ".dot" || p.extension() == ".svg";
    if (render::render_file(is_graph ? graph : in, p.string(), err))
      a.files.push_back(p.string());
    else
      std::fprintf(stderr, "weft: %s: %s\n", p.string().c_str(), err.c_str());
  }
  return a;
}

}  // namespace weft::cli
