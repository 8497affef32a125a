// Pictures and reports of one simulated execution: the schedule graph (DOT, laid out to SVG or
// PNG by Graphviz), a timeline in Chrome trace-event JSON (Perfetto, chrome://tracing) and a
// Markdown bug report. Every renderer is a pure function of the trace and the violation, so the
// same execution renders to the same bytes. Every user-controlled string (thread, executor and
// scenario names, exception messages, annotations, file names) is escaped for the format it
// lands in: a name like `"<script>alert(1)</script>` renders inert everywhere.
#pragma once

#include <string>
#include <string_view>

#include "weft/properties/violation.hpp"
#include "weft/sim/trace.hpp"

namespace weft::render {

struct RenderInput {
  const sim::Trace& trace;
  const Violation* violation = nullptr;  // null: a passing run, nothing highlighted
  std::string title;                     // scenario / test name
  std::string replay_command;            // shell line that reproduces the run
  std::string svg_link;                  // where the schedule picture will be (relative or http(s))
};

// The schedule graph: one lane (cluster) per virtual thread, one node per interesting step,
// happens-before edges across lanes, the violation in red. Runs of routine steps collapse.
std::string to_dot(const RenderInput& in);

// {"traceEvents":[...],"displayTimeUnit":"ns"}: one track per virtual thread, task run slices
// and blocking work as complete ("X") events, everything else as instants; ts in µs.
std::string to_chrome_json(const RenderInput& in);

// A bug report to paste into an issue.
std::string to_markdown(const RenderInput& in);

// Lays out DOT text with Graphviz's C API and renders it as "svg" or "png" into `out`.
// On failure returns false and a one-line `error`. Serialised internally (Graphviz is not
// thread-safe).
bool layout(const std::string& dot, const std::string& format, std::string& out, std::string& error);

// Renders by the extension of `path` (.dot .svg .png .json .md) and writes the file.
// On failure (unknown extension, layout error, unwritable path) returns false and a one-line error.
bool render_file(const RenderInput& in, const std::string& path, std::string& error);

// "0 s", "750 ns", "12 µs", "350 ms", "1.500 ms", "2.000 s": virtual durations and times for people.
std::string format_duration(Nanos d);
// A JSON string literal, quotes included; also inert inside HTML and valid JavaScript.
std::string json_string(std::string_view s);

namespace detail {
// `s` with every invalid UTF-8 sequence replaced by U+FFFD, so that each escaper above can work
// byte by byte on ASCII and pass multi-byte characters through untouched.
std::string sanitize_utf8(std::string_view s);
}  // namespace detail

}  // namespace weft::render
