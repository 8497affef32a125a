// Shared pieces of the CLI: argument parsing, scenario lookup, artefact writing, JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "weft/model/explorer.hpp"
#include "weft/model/schedule.hpp"
#include "weft/scenarios/scenario.hpp"

namespace weft::cli {

// --flag value / --flag=value / positionals. Unknown flags are a UsageError.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "--json" -> "" for switches
  static Args parse(const std::vector<std::string>& in, const std::vector<std::string>& with_value,
                    const std::vector<std::string>& switches);
  bool has(const std::string& f) const { return flags.count(f) != 0; }
  std::string get(const std::string& f, const std::string& def = "") const;
  std::uint64_t get_u64(const std::string& f, std::uint64_t def) const;
};

std::uint64_t parse_u64(const std::string& what, const std::string& s);
double parse_duration_s(const std::string& s);  // "8h", "30m", "90s", "1.5h"

struct Target {
  const scenarios::Scenario* scenario;
  scenarios::Variant variant;
  std::string full_name() const;  // "name.bug" / "name.fix"
  const std::function<void()>& body() const;
};
// "name", "name.bug", "name.fix"; UsageError (exit 2) with a hint if unknown.
Target resolve(const std::string& name);

model::Checker checker_for(const Target& t);

struct Artefacts {
  std::string dir;
  std::string schedule_file;
  std::string token;
  std::vector<std::string> files;
};
// Writes schedule, token, trace dump, report.md, schedule.dot/.svg, timeline.json.
Artefacts write_artefacts(const std::string& dir, const Target& t, const model::Finding& f);

// At most `max_records` records of `trace` around what `v` highlights (indices remapped), so
// that a long execution still lays out in Graphviz in a moment. The window keeps the end of
// the execution, where violations are established, and every highlighted record it can.
struct Window {
  sim::Trace trace;
  Violation violation;
  std::size_t dropped_before = 0;
};
Window window(const sim::Trace& trace, const Violation& v, std::size_t max_records);

std::string json_escape(std::string_view s);
std::string read_file_or_token(const std::string& arg);  // a path's contents, else the argument itself
std::string hex64(std::uint64_t v);

}  // namespace weft::cli
