#include "common.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "weft/render/render.hpp"

namespace fs = std::filesystem;

namespace weft::cli {

std::string path_component(const std::string& name) {
  std::string out = name;
  for (char& ch : out)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
          ch == '.'))
      ch = '_';
  if (out.empty() || out == "." || out == "..") out = "_";
  return out;
}

std::string printable(std::string_view text) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) {
      out += "\\x";
      out += digits[b >> 4];
      out += digits[b & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

void check_out_dir(const std::string& dir) {
  std::error_code ec;
  auto st = std::filesystem::status(dir, ec);
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_directory(st))
    throw UsageError{"--out " + dir + ": exists and is not a directory"};
}

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
  return [cfg](const sim::Trace& tr, const sim::RunResult& r) {
    std::vector<Violation> v = properties::check_all(tr, r, cfg);
    // An exception that escaped the body (std::bad_alloc, a user's throw) ends the
    // execution: it is this execution's crash, never a pass.
    if (r.outcome == sim::Outcome::body_threw &&
        std::none_of(v.begin(), v.end(), [](const Violation& x) { return x.kind == ViolationKind::crash; })) {
      Violation c;
      c.kind = ViolationKind::crash;
      c.message = r.message;
      c.time = r.end_time;
      c.locations.push_back("body-threw");
      v.insert(v.begin(), std::move(c));
    }
    return v;
  };
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
  if (arg.rfind("w1.", 0) != 0 && arg.rfind("w2.", 0) != 0 && fs::is_regular_file(arg, ec)) {
    // Checked before reading: a schedule of the longest execution the simulator allows by
    // default is a few MiB; a bigger file is refused without reading it.
    constexpr std::uintmax_t schedule_bytes_max = 16u << 20;
    const std::uintmax_t size = fs::file_size(arg, ec);
    if (!ec && size > schedule_bytes_max)
      throw UsageError{printable(arg) + ": " + std::to_string(size >> 20) + " MiB, larger than a schedule can be (16 MiB)"};
    std::ifstream in(arg, std::ios::binary);
    if (!in) throw UsageError{"cannot read " + arg};
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    if (s.size() > schedule_bytes_max) throw UsageError{printable(arg) + ": larger than a schedule can be (16 MiB)"};
    return s;
  }
  if (arg.rfind("w", 0) != 0 && arg.find('/') != std::string::npos)
    throw UsageError{"no such file: " + arg};
  return arg;
}

Artefacts write_artefacts(const std::string& dir, const Target& t, const model::Finding& f, const RenderOptions& ro) {
  model::ArtefactInput in{t.full_name(), "weft replay " + model::to_token(f.schedule), &f, {}};
  in.full = ro.full;
  in.layout = !ro.no_render;
  // The minimal pair: the nearest schedule that passes, one decision away.
  sim::Options so = t.scenario->options.sim;
  so.granularity = f.schedule.granularity == "fine" ? sim::Granularity::fine : sim::Granularity::coarse;
  model::NearestPass pair = model::nearest_pass(f.schedule, f.violation.kind, t.body(), checker_for(t), so);
  in.pair = &pair;
  Artefacts a = model::write_artefacts(dir, in);
  for (const auto& e : a.errors) std::fprintf(stderr, "weft: %s\n", e.c_str());
  return a;
}

}  // namespace weft::cli
