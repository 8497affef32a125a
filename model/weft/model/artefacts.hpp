// The artefact directory of a finding, the same for `weft run`, `weft replay`, a campaign
// and weft::check: schedule.weft, token.txt, trace.txt, finding.weft (the recorded
// execution, which `weft render` draws when the body is not in its binary), report.md,
// report.html, schedule.dot, schedule.svg, sequence.svg, sequence.mmd and timeline.json.
// Source paths in all of them are relative to the project root.
#pragma once

#include <string>
#include <vector>

#include "weft/model/explorer.hpp"
#include "weft/model/pair.hpp"

namespace weft::model {

struct ArtefactInput {
  std::string title;           // scenario or test name
  std::string replay_command;  // the shell line that reproduces it
  const Finding* finding = nullptr;
  // Every violation of the finding's execution, the finding's own first (finding.weft
  // keeps them all); empty: just the finding's.
  std::vector<Violation> violations;
  bool full = false;    // pictures of every record, not the focused story
  bool layout = true;   // false: no Graphviz layout (schedule.svg), `weft render` draws it on demand
  const NearestPass* pair = nullptr;  // the minimal pair, when it was searched for
};

struct Artefacts {
  std::string dir;
  std::string schedule_file;  // dir/schedule.weft
  std::string token;
  std::vector<std::string> files;  // written
  std::vector<std::string> errors;  // one line each: a picture that could not be drawn
};

// Creates `dir` and writes every file; throws std::runtime_error (one line) when the
// directory or the schedule cannot be written. A picture that fails lands in `errors`.
Artefacts write_artefacts(const std::string& dir, const ArtefactInput& in);

// At most `max_records` records of `trace` around what `v` highlights (indices remapped), so
// that a long execution still lays out in Graphviz in a moment. The window keeps the end of
// the execution, where violations are established, and every highlighted record it can.
struct Window {
  sim::Trace trace;
  Violation violation;
  std::size_t dropped_before = 0;
};
Window window(const sim::Trace& trace, const Violation& v, std::size_t max_records);

inline constexpr std::size_t graph_records_max = 400;

}  // namespace weft::model
