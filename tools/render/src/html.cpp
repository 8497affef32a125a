// One finding as one self-contained HTML page: nothing is loaded from anywhere (a strict
// Content-Security-Policy says so to the browser), no script runs, every user string is escaped.
#include <fstream>
#include <set>
#include <sstream>

#include "model.hpp"

namespace weft::render {

namespace {

using detail::html;

// The <svg ...> element of a Graphviz document (without its XML prolog and DOCTYPE).
std::string svg_element(const std::string& svg) {
  auto at = svg.find("<svg");
  return at == std::string::npos ? std::string() : svg.substr(at);
}

// Lines around `line` of `root/file`, or "" when the file cannot be read or the path leaves root.
std::string snippet(const std::string& root, const std::string& file, std::uint32_t line) {
  if (root.empty() || file.empty() || file.front() == '/' || file.find("..") != std::string::npos || line == 0) return "";
  std::ifstream in(root + "/" + file);
  if (!in) return "";
  std::string out, text;
  std::uint32_t n = 0;
  const std::uint32_t from = line > 3 ? line - 3 : 1, to = line + 3;
  while (std::getline(in, text) && ++n <= to) {
    if (n < from) continue;
    std::string num = std::to_string(n);
    num.insert(0, num.size() < 5 ? 5 - num.size() : 0, ' ');
    std::string l = html(num + "  " + detail::truncate(text, 160));
    out += n == line ? "<mark>" + l + "</mark>\n" : l + "\n";
  }
  return n >= line ? out : "";
}

const char* kStyle = R"(body{font-family:Helvetica,Arial,sans-serif;margin:16px 24px;color:#222;max-width:1700px}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid #ddd}
.violation{color:#c00000;font-weight:bold;font-size:15px;margin:4px 0 12px}
.fig svg{max-width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f4f4f4}td.red{background:#ffd0d0;color:#a00000;font-weight:bold}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px}mark{background:#ffe08a}
.muted{color:#666;font-style:italic})";

}  // namespace

std::string to_html(const RenderInput& in, const std::string& lanes_svg, const std::string& source_root) {
  const detail::Model m = detail::build_model(in.trace, in.violation, in.full);
  const detail::Story s = detail::build_story(m, 48);
  const std::string title = in.title.empty() ? std::string("weft report") : in.title;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n";
  out += "<title>" + html(title) + "</title>\n<style>" + std::string(kStyle) + "</style></head>\n<body>\n";
  out += "<h1>" + html(title) + "</h1>\n";
  if (m.v)
    out += "<p class=\"violation\" id=\"culprit\">" + html(detail::violation_line(*m.v)) + " (t=" +
           html(format_duration(m.v->time)) + ")</p>\n";
  else
    out += "<p>No violation.</p>\n";
  if (!lanes_svg.empty()) out += "<div class=\"fig\" id=\"lanes\">" + svg_element(lanes_svg) + "</div>\n";
  if (m.focused && m.hidden_records) out += "<p class=\"muted\">" + html(m.hidden_summary()) + " are not drawn.</p>\n";

  if (!in.replay_command.empty()) out += "<h2>Reproduce</h2>\n<pre>" + html(in.replay_command) + "</pre>\n";

  if (in.pair && !in.pair->found) {
    out += "<h2>The minimal pair</h2>\n<p>No schedule one decision away passes (" + std::to_string(in.pair->tried) +
           " tried): this failure does not hang on one scheduling choice.</p>\n";
  } else if (in.pair) {
    out += "<h2>The minimal pair</h2>\n<p>" + html(in.pair->sentence) + "</p>\n<ul><li>decision " +
           std::to_string(in.pair->decision) + ": failing: " + html(in.pair->failing) + "; passing: " +
           html(in.pair->passing) + "</li>";
    if (!in.pair->passing_token.empty()) out += "<li>passing schedule: <code>weft replay " + html(in.pair->passing_token) + "</code></li>";
    out += "</ul>\n";
  }

  if (!s.steps.empty() && m.v) {
    out += "<h2>Sequence</h2>\n<div class=\"fig\" id=\"sequence\">" + to_sequence_svg(in) + "</div>\n";
    out += "<h2>Interleaving</h2>\n<table><tr><th>#</th><th>time</th><th>thread</th>";
    for (const auto& a : s.actors) out += "<th>" + html(a.name) + "</th>";
    out += "<th>switch</th></tr>\n";
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
      const auto& st = s.steps[k];
      const auto& r = m.t.records[st.records.front()];
      out += "<tr><td>" + std::to_string(k + 1) + "</td><td>" + html(format_duration(r.time)) + "</td><td>" +
             html(m.thread(r.thread)) + "</td>";
      for (std::size_t a = 0; a < s.actors.size(); ++a) {
        if (a != st.actor) {
          out += "<td></td>";
          continue;
        }
        out += std::string(st.red ? "<td class=\"red\">" : "<td>") + html(detail::step_text(m, s, st)) + "</td>";
      }
      out += "<td>" + html(detail::switch_reason(m, s, k)) + "</td></tr>\n";
    }
    out += "</table>\n";
    if (s.dropped_steps) out += "<p class=\"muted\">… " + std::to_string(s.dropped_steps) + " more steps.</p>\n";
  }

  if (m.v) {
    std::vector<ObjectId> objects = m.shown_objects();
    if (!objects.empty()) {
      out += "<h2>Objects</h2>\n<table><tr><th>object</th><th>kind</th><th>name</th><th>declared at</th></tr>\n";
      for (ObjectId id : objects) {
        auto name = m.object_names.find(id);
        auto site = m.object_sites.find(id);
        out += "<tr><td>" + std::to_string(id) + "</td><td>" + html(m.object_kind(id)) + "</td><td>" +
               (name == m.object_names.end() ? std::string() : html(name->second)) + "</td><td>" +
               (site == m.object_sites.end() ? std::string() : html(m.site(site->second))) + "</td></tr>\n";
      }
      out += "</table>\n";
    }
  }

  // Source lines around the sites of the red records and the violation's locations.
  if (m.v) {
    std::set<std::pair<std::string, std::uint32_t>> sites;
    for (std::size_t i = 0; i < m.t.records.size(); ++i)
      if (m.key[i] && m.t.records[i].site) {
        const auto& site = m.t.site(m.t.records[i]);
        sites.insert({relative_path(site.file), site.line});
      }
    std::string body;
    for (const auto& [file, line] : sites) {
      std::string lines = snippet(source_root, file, line);
      body += "<h3>" + html(file + ":" + std::to_string(line)) + "</h3>\n";
      body += lines.empty() ? "" : "<pre>" + lines + "</pre>\n";
    }
    if (!body.empty()) out += "<h2>Source</h2>\n" + body;
    if (!m.v->detail.empty()) {
      std::string text;
      std::istringstream lines(detail::relative_text(m.v->detail));
      for (std::string line; std::getline(lines, line);) text += html(line) + "\n";
      out += "<h2>Detail</h2>\n<pre>" + text + "</pre>\n";
    }
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace weft::render
