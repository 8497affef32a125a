// Pictures and reports of one simulated execution: the schedule graph (DOT, laid out to SVG or
// PNG by Graphviz), a timeline in Chrome trace-event JSON (Perfetto, chrome://tracing) and a
// Markdown bug report. Every renderer is a pure function of the trace and the violation, so the
// same execution renders to the same bytes. Every user-controlled string (thread, executor and
// scenario names, exception messages, annotations, file names) is escaped for the format it
// lands in: a name like `"<script>alert(1)</script>` renders inert everywhere.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/properties/violation.hpp"
#include "weft/trace/trace.hpp"

namespace weft::render {

// The nearest passing schedule next to the failing one: the same decisions up to one, and
// what that one decision changes. Filled by whoever searched for it (weft run / replay).
struct MinimalPair {
  bool found = true;               // false: no schedule one decision away passes
  std::size_t tried = 0;           // schedules replayed in the search
  std::size_t decision = 0;        // index of the decision that differs
  std::string failing;             // "ui runs on_click" (what the failing schedule did there)
  std::string passing;             // "timer runs load_profile" (what the passing one did)
  std::string passing_token;       // replays the passing schedule
  std::string sentence;            // the flip in one line, for people
};

struct RenderInput {
  const trace::Trace& trace;
  const Violation* violation = nullptr;  // null: a passing run, nothing highlighted
  std::string title;                     // scenario / test name
  std::string replay_command;            // shell line that reproduces the run
  std::string svg_link;                  // where the schedule picture will be (relative or http(s))
  bool full = false;                     // pictures show every record, not only the violation's story
  const MinimalPair* pair = nullptr;     // the nearest passing schedule, when one was found
};

// The schedule graph: one lane (cluster) per virtual thread, one node per interesting step,
// happens-before edges across lanes, the violation in red. Focused unless `full`: only the
// tasks, threads and objects of the violation and one step of their causal history are drawn,
// the rest is counted in one summary node; repeated blocks (a timer loop) become one node with
// a count, runs of routine steps one node.
std::string to_dot(const RenderInput& in);

// {"traceEvents":[...],"displayTimeUnit":"ns"}: one track per virtual thread, task run slices
// and blocking work as complete ("X") events, everything else as instants; ts in µs.
std::string to_chrome_json(const RenderInput& in);

// A bug report to paste into an issue: kind, message, replay command, the interleaving table
// (one column per task, one row per step that matters, why the scheduler switched), a Mermaid
// sequence diagram, the minimal pair, tasks, threads, key events.
std::string to_markdown(const RenderInput& in);

// The sequence diagram as Mermaid text (GitHub renders a ```mermaid block in an issue) and as
// SVG: one column per task (or thread), time downward, messages along happens-before, the
// culprit in red.
std::string to_mermaid(const RenderInput& in);
std::string to_sequence_svg(const RenderInput& in);

// One self-contained HTML page (no external resource): title, violation, the pictures inlined
// (`lanes_svg`: the laid-out schedule graph, may be empty), the sequence diagram, the
// interleaving table, the minimal pair, the replay command and the source lines around each
// site (read from `source_root` when given and readable).
std::string to_html(const RenderInput& in, const std::string& lanes_svg, const std::string& source_root = "");

// Lays out DOT text with Graphviz's C API and renders it as "svg" or "png" into `out`.
// On failure returns false and a one-line `error`. Serialised internally (Graphviz is not
// thread-safe).
bool layout(const std::string& dot, const std::string& format, std::string& out, std::string& error);

// What layout() has cost this process so far (monotonic clock; for reports of the rendering
// cost, never for a decision): calls, total seconds, and the first call's seconds (which pay
// Graphviz's one-off start-up: plugin loading).
struct LayoutStats {
  std::size_t layouts = 0;
  double seconds = 0;
  double startup_seconds = 0;
};
LayoutStats layout_stats();

// Renders by the extension of `path` (.dot .svg .png .json .md .mmd .html; a name ending in
// .seq.svg is the sequence diagram) and writes the file.
// On failure (unknown extension, layout error, unwritable path) returns false and a one-line error.
bool render_file(const RenderInput& in, const std::string& path, std::string& error);

// Everything about one finding, written into one directory (used by weft run / replay / fuzz and
// by weft::check): report.md, report.html, sequence.mmd, sequence.svg, timeline.json,
// schedule.dot and, unless `layout` is false, schedule.svg (the only step that pays for a
// Graphviz layout: with layout off, exploration never waits for it, and `weft render` draws it
// on demand). Returns the paths written; a file that cannot be written adds one line to `errors`.
struct FindingFiles {
  bool layout = true;
  std::string source_root;  // for the HTML report's source lines ("" = none)
};
std::vector<std::string> render_finding(const std::string& dir, const RenderInput& in, const FindingFiles& options,
                                        std::vector<std::string>& errors);

// Width and height in CSS pixels (96 per inch) of an SVG that Graphviz wrote ("123pt"), 0 if unknown.
std::pair<int, int> svg_size_px(const std::string& svg);

// "0 s", "750 ns", "12 µs", "350 ms", "1.500 ms", "2.000 s": virtual durations and times for people.
std::string format_duration(Nanos d);
// A JSON string literal, quotes included; also inert inside HTML and valid JavaScript.
std::string json_string(std::string_view s);

// Source paths relative to the project root: WEFT_SOURCE_ROOT's prefix removed; any other
// absolute path keeps only its last two components. Relative paths are returned unchanged.
std::string relative_path(std::string_view file);
// Every site of `trace` and every location / path in `v`'s message and detail made relative.
void make_paths_relative(trace::Trace& trace, Violation* v);

namespace detail {
// `s` with every invalid UTF-8 sequence replaced by U+FFFD, so that each escaper above can work
// byte by byte on ASCII and pass multi-byte characters through untouched.
std::string sanitize_utf8(std::string_view s);
}  // namespace detail

}  // namespace weft::render
