// Shared pieces of the CLI: argument parsing, scenario lookup, artefact writing, JSON.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "weft/model/artefacts.hpp"
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

// A name as one path component: anything but [A-Za-z0-9._-] becomes '_' (no '/' nesting,
// no control bytes), and "." / ".." / "" become "_".
std::string path_component(const std::string& name);
// Text for a terminal or a line-based file: control bytes (newline, ESC, ...) become \xHH,
// so a name or message from user code can neither split a line nor drive the terminal.
std::string printable(std::string_view text);
// `--out DIR` checked before any work: an existing path that is not a directory is a
// UsageError (exit 2) up front, not an internal error after exploring.
void check_out_dir(const std::string& dir);

// The artefact directory (model/weft/model/artefacts.hpp: the same for weft::check).
using Artefacts = model::Artefacts;
// How pictures are drawn: focused (the default) or `full`; `no_render` skips the Graphviz layout
// (schedule.svg), which `weft render` then draws on demand.
struct RenderOptions {
  bool full = false;
  bool no_render = false;
};
// Writes schedule, token, trace dump, finding.weft, report.md/.html, schedule.dot/.svg,
// sequence.svg/.mmd, timeline.json.
Artefacts write_artefacts(const std::string& dir, const Target& t, const model::Finding& f, const RenderOptions& ro = {});

using Window = model::Window;
using model::window;

// help.cpp: the table of commands, options, defaults and examples.
bool wants_help(const std::vector<std::string>& args);  // --help or -h among them
void print_usage(std::FILE* to);
bool print_command_help(const std::string& command, std::FILE* to);  // false: unknown command
std::string synopsis(const std::string& command);  // "usage: weft run NAME..." for usage errors

std::string json_escape(std::string_view s);
std::string read_file_or_token(const std::string& arg);  // a path's contents, else the argument itself
std::string hex64(std::uint64_t v);

}  // namespace weft::cli
