// A bug report in GitHub-flavoured Markdown. User strings are either escaped inline (markup
// characters backslash-escaped, <>& as entities) or put in code spans / fences long enough
// that nothing inside can close them.
#include <algorithm>
#include <cctype>
#include <set>

#include "model.hpp"
#include "weft/render/render.hpp"

namespace weft::render {

namespace {

using trace::Trace;
using trace::TraceRecord;

// One line of prose: newlines and controls become spaces.
std::string one_line(std::string_view s) {
  std::string v = detail::sanitize_utf8(s);
  for (char& c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return v;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}

// Inline text that renders as itself: no emphasis, links, HTML, table cells, headings or list
// markers. Only characters that can start markup where they stand are escaped, so the raw
// report stays readable ("pool-0", "ui_block_on").
std::string md(std::string_view s) {
  std::string in = one_line(s);
  std::string out;
  out.reserve(in.size() + 8);
  bool digits_only = true;  // "1. text" / "1) text" at the start of a line would become a list
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    char prev = i ? in[i - 1] : ' ';
    char next = i + 1 < in.size() ? in[i + 1] : ' ';
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\\': case '`': case '*': case '[': case ']': case '|': case '~':
        out += '\\';
        out += c;
        break;
      case '_':  // GFM never emphasises inside a word
        if (!is_word_char(prev) || !is_word_char(next)) out += '\\';
        out += c;
        break;
      case '-': case '+': case '#': case '=':  // list item, heading, setext underline
        if (i == 0) out += '\\';
        out += c;
        break;
      case '.': case ')':
        if (digits_only && i > 0) out += '\\';
        out += c;
        break;
      default: out += c;
    }
    digits_only = digits_only && c >= '0' && c <= '9';
  }
  return out;
}

std::size_t longest_backtick_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

// `text` as a code span: more backticks than any run inside, padded when it starts or ends
// with a backtick or space.
std::string code(std::string_view s) {
  std::string v = one_line(s);
  if (v.empty()) return "";
  std::string ticks(longest_backtick_run(v) + 1, '`');
  bool pad = v.front() == '`' || v.back() == '`' || v.front() == ' ' || v.back() == ' ';
  return ticks + (pad ? " " : "") + v + (pad ? " " : "") + ticks;
}

// A fenced block: the fence is longer than any backtick run inside, so it cannot be closed early.
std::string fence(std::string_view s, const char* info) {
  std::string v = detail::sanitize_utf8(s);
  for (char& c : v)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) c = ' ';
  while (!v.empty() && v.back() == '\n') v.pop_back();
  std::string ticks(std::max<std::size_t>(3, longest_backtick_run(v) + 1), '`');
  return ticks + info + "\n" + v + "\n" + ticks + "\n";
}

// A link target: relative paths and http(s) URLs only, percent-encoded so that it cannot end
// the link or smuggle markup. Anything else (javascript:, data:) is not linked.
bool link_target(std::string_view url, std::string& out) {
  auto colon = url.find(':');
  auto slash = url.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    std::string scheme(url.substr(0, colon));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (scheme != "http" && scheme != "https") return false;
  }
  static constexpr char hex[] = "0123456789ABCDEF";
  out.clear();
  for (char ch : url) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~/:?#=&%+,;@!$*").find(char(c)) != std::string_view::npos;
    if (keep) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return !out.empty();
}

// A code span inside a table cell: GFM splits cells at '|' even inside code spans unless escaped.
std::string cell_code(std::string_view s) {
  std::string c = code(s), out;
  for (char ch : c) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

std::string thread_name(const Trace& t, std::size_t i) {
  return i < t.threads.size() ? t.threads[i].name : "thread " + std::to_string(i);
}

std::string row(std::initializer_list<std::string> cells) {
  std::string r = "|";
  for (const auto& c : cells) r += " " + (c.empty() ? std::string("–") : c) + " |";
  return r + "\n";
}

// The interleaving, Lincheck-style: one column per task (or thread), one row per step that
// matters, and why the scheduler switched to it.
std::string interleaving_table(const detail::Model& m, const detail::Story& s) {
  std::string out = "| # | time | thread |";
  for (const auto& a : s.actors) out += " " + md(a.name) + " |";
  out += " switch |\n|---:|---:|---|";
  for (std::size_t a = 0; a < s.actors.size(); ++a) out += "---|";
  out += "---|\n";
  for (std::size_t k = 0; k < s.steps.size(); ++k) {
    const auto& st = s.steps[k];
    const auto& r = m.t.records[st.records.front()];
    std::string text = md(detail::truncate(detail::step_text(m, s, st), 70));
    if (st.red) text = "**" + text + "**";
    for (const auto& msg : s.messages)
      if (msg.at_step == k && msg.red && !msg.label.empty()) {
        const std::string other = s.actors[s.steps[msg.at_step == msg.to_step ? msg.from_step : msg.to_step].actor].name;
        text += msg.at_step == msg.to_step ? " ⟵ **" + md(msg.label) + "** (" + md(other) + ")"
                                           : " ⟶ **" + md(msg.label) + "**";
      }
    out += "| " + std::to_string(k + 1) + " | " + format_duration(r.time) + " | " + md(thread_name(m.t, r.thread)) + " |";
    for (std::size_t a = 0; a < s.actors.size(); ++a) out += " " + (a == st.actor ? text : std::string()) + " |";
    out += " " + md(detail::switch_reason(m, s, k)) + " |\n";
  }
  if (s.dropped_steps) out += "\n… and " + std::to_string(s.dropped_steps) + " more steps (see the timeline).\n";
  return out;
}

}  // namespace

std::string to_markdown(const RenderInput& in) {
  const Trace& t = in.trace;
  const Violation* v = in.violation;
  std::string out;
  out += "# " + md(in.title.empty() ? std::string("weft report") : in.title) + "\n\n";

  const bool failed = v && v->kind != ViolationKind::none;
  const detail::Model model = detail::build_model(t, v, in.full);
  Nanos when = v ? v->time : (t.records.empty() ? 0 : t.records.back().time);
  out += std::string("- **Kind:** ") + (v ? to_string(v->kind) : "none") +
         (failed ? (v->severity == Severity::error ? " (error)" : " (warning)") : "") + "\n";
  out += "- **Message:** " +
         (v && !v->message.empty() ? md(detail::message_without_kind(*v)) : std::string(failed ? "–" : "no violation")) +
         "\n";
  out += "- **Virtual time:** " + format_duration(when) + "\n";
  out += "- **Trace:** " + std::to_string(t.records.size()) + " records, " + std::to_string(t.threads.size()) +
         " threads, " + std::to_string(t.tasks.size()) + " tasks\n\n";

  out += "## Reproduce\n\n";
  out += in.replay_command.empty() ? std::string("No replay command was given.\n") : fence(in.replay_command, "sh");
  out += "\n";

  if (!in.svg_link.empty()) {
    out += "## Schedule\n\n";
    std::string target;
    if (link_target(in.svg_link, target))
      out += "[The schedule graph (SVG)](" + target + ")\n\n";
    else
      out += "The schedule graph: " + code(in.svg_link) + "\n\n";
  }

  if (!v) return out;

  if (failed) {
    detail::Story story = detail::build_story(model, 40);
    if (!story.steps.empty()) {
      out += "## Interleaving\n\n";
      if (model.focused && model.hidden_records)
        out += "The steps of the tasks involved; " + md(model.hidden_summary()) + " are left out.\n\n";
      out += interleaving_table(model, story) + "\n";
      out += "## Sequence\n\n" + fence(to_mermaid(in), "mermaid") + "\n";
    }
  }

  if (in.pair && !in.pair->found) {
    out += "## The minimal pair\n\nNo schedule one decision away passes (" + std::to_string(in.pair->tried) +
           " tried): this failure does not hang on one scheduling choice.\n\n";
  } else if (in.pair) {
    out += "## The minimal pair\n\n";
    out += "- " + md(in.pair->sentence) + "\n";
    out += "- Decision " + std::to_string(in.pair->decision) + ": failing: " + md(in.pair->failing) +
           "; passing: " + md(in.pair->passing) + "\n";
    if (!in.pair->passing_token.empty()) out += "- Passing schedule: " + code("weft replay " + in.pair->passing_token) + "\n";
    out += "\n";
  }

  if (!v->locations.empty()) {
    out += "## Source locations\n\n";
    for (const auto& loc : v->locations) {
      out += "- " + code(detail::relative_location(loc)) + "\n";
    }
    out += "\n";
  }

  if (!v->tasks.empty()) {
    out += "## Tasks\n\n";
    out += "| task | name | spawned at | executor | parent | detached |\n|---:|---|---|---|---:|---|\n";
    for (TaskId id : v->tasks) {
      const auto* info = t.task(id);
      if (!info) {
        out += row({std::to_string(id), md(model.task(id)), "", "", "", ""});
        continue;
      }
      std::string site = info->site && info->site < t.sites.size() ? cell_code(model.site(info->site)) : "";
      auto full = model.full_task_names.find(id);
      out += row({std::to_string(id), md(full != model.full_task_names.end() ? full->second : model.task(id)), site,
                  md(t.executor_name(info->executor)),
                  info->parent ? std::to_string(info->parent) : "", info->detached ? "yes" : "no"});
    }
    out += "\n";
  }

  // The synchronisation objects of the story: name (or none), kind, where they were declared.
  if (failed) {
    std::vector<ObjectId> objects = model.shown_objects();
    if (!objects.empty()) {
      out += "## Objects\n\n";
      out += "| object | kind | name | declared at |\n|---:|---|---|---|\n";
      for (ObjectId id : objects) {
        auto name = model.object_names.find(id);
        auto site = model.object_sites.find(id);
        out += row({std::to_string(id), md(model.object_kind(id)), name == model.object_names.end() ? "" : md(name->second),
                    site == model.object_sites.end() ? "" : cell_code(model.site(site->second))});
      }
      out += "\n";
    }
  }

  if (!v->threads.empty()) {
    out += "## Threads\n\n";
    out += "| thread | name | serves |\n|---:|---|---|\n";
    for (auto th : v->threads) {
      ObjectId ex = th < t.threads.size() ? t.threads[th].executor : 0;
      out += row({std::to_string(th), md(thread_name(t, th)), ex ? md(t.executor_name(ex)) : ""});
    }
    out += "\n";
  }

  std::vector<std::uint32_t> key(v->records.begin(), v->records.end());
  std::sort(key.begin(), key.end());
  key.erase(std::unique(key.begin(), key.end()), key.end());
  if (!key.empty()) {
    out += "## Key events\n\n";
    out += "| time | step | thread | event | task | where | note |\n|---:|---:|---|---|---:|---|---|\n";
    for (auto i : key) {
      if (i >= t.records.size()) continue;
      const TraceRecord& r = t.records[i];
      std::string where = r.site && r.site < t.sites.size() ? cell_code(model.site(r.site)) : "";
      std::string note = r.text && r.text < t.strings.size() ? md(t.strings[r.text]) : "";
      if (note.empty() && r.object && detail::is_sync(r)) note = md(model.object(r.object));
      if (note.empty() && r.other)
        note = (r.kind == EventKind::block ? "waits for " : "other: ") + md(model.task(r.other));
      out += row({format_duration(r.time), std::to_string(r.step), md(thread_name(t, r.thread)), cell_code(to_string(r.kind)),
                  r.task ? md(model.task(r.task)) : "", where, note});
    }
    out += "\n";
  }

  if (!v->detail.empty()) {
    out += "## Detail\n\n";
    out += fence(detail::relative_text(v->detail), "text");
    out += "\n";
  }
  if (failed) {
    Violation relative = *v;
    for (auto& l : relative.locations) l = detail::relative_location(l);
    out += "Signature: " + code(relative.signature()) + "\n";
  }
  return out;
}

}  // namespace weft::render
