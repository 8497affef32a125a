// The sequence views of a finding: Mermaid text (GitHub renders it in an issue) and a
// self-drawn SVG, both one column per task (or thread), time downward, the culprit in red.
#include <algorithm>
#include <cstdio>

#include "model.hpp"

namespace weft::render {

namespace {

using detail::Edge;
using detail::html;
using detail::Model;
using detail::Story;

// Text inside a Mermaid statement: Mermaid's own entity codes for characters its grammar
// reads (';' ends a statement, '#' starts an entity, '%%' a comment), HTML ones for markup.
std::string mermaid_text(std::string_view s) {
  std::string in = detail::sanitize_utf8(s);
  std::string out;
  for (char c : in) {
    switch (c) {
      case '#': out += "#35;"; break;
      case ';': out += "#59;"; break;
      case '%': out += "#37;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '&': out += "#amp;"; break;
      case '"': out += "#quot;"; break;
      case '`': out += "#96;"; break;
      case '{': out += "#123;"; break;
      case '}': out += "#125;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += ' ';
        else
          out += c;
    }
  }
  return out;
}

std::string edge_word(Edge e) {
  switch (e) {
    case Edge::spawn: return "spawn";
    case Edge::queued: return "continuation queued";
    case Edge::done: return "done";
    case Edge::timer: return "timer";
    case Edge::io: return "I/O";
    case Edge::mutex: return "unlock";
    case Edge::exception: return "exception";
    case Edge::permit: return "permit";
    case Edge::message: return "message";
    case Edge::wait_for: return "waits for";
    case Edge::lost: return "lost";
    case Edge::reads: return "read by";
  }
  return "";
}

}  // namespace

std::string to_mermaid(const RenderInput& in) {
  Model m = detail::build_model(in.trace, in.violation, in.full);
  Story s = detail::build_story(m, 40);
  std::string out = "sequenceDiagram\n";
  if (m.v) out += "  %% " + mermaid_text(detail::truncate(detail::violation_line(*m.v), 120)) + "\n";
  for (std::size_t a = 0; a < s.actors.size(); ++a)
    out += "  participant A" + std::to_string(a) + " as " + mermaid_text(s.actors[a].name) + "\n";
  if (m.focused && m.hidden_records)
    out += "  Note over A0: " + mermaid_text(m.hidden_summary()) + " not shown\n";
  std::size_t next_msg = 0;
  for (std::size_t k = 0; k < s.steps.size(); ++k) {
    const auto& st = s.steps[k];
    std::string me = "A" + std::to_string(st.actor);
    std::string text = mermaid_text(detail::truncate(detail::step_text(m, s, st), 80));
    while (next_msg < s.messages.size() && s.messages[next_msg].at_step == k) {
      const auto& msg = s.messages[next_msg++];
      std::string from = "A" + std::to_string(s.steps[msg.from_step].actor);
      std::string to = "A" + std::to_string(s.steps[msg.to_step].actor);
      std::string label = msg.label.empty() ? edge_word(msg.kind) : msg.label;
      if (msg.red) {
        out += "  rect rgb(255, 205, 205)\n";
        out += "  " + from + "-x" + to + ": " + mermaid_text(label) + "\n";
        out += "  end\n";
      } else if (from != to) {
        out += "  " + from + "->>" + to + ": " + mermaid_text(label) + "\n";
      }
    }
    if (st.red) {
      out += "  rect rgb(255, 205, 205)\n";
      out += "  Note over " + me + ": " + text + "\n";
      out += "  end\n";
    } else {
      out += "  Note over " + me + ": " + text + "\n";
    }
  }
  if (s.dropped_steps) out += "  Note over A0: … " + std::to_string(s.dropped_steps) + " more steps\n";
  return out;
}

std::string to_sequence_svg(const RenderInput& in) {
  Model m = detail::build_model(in.trace, in.violation, in.full);
  Story s = detail::build_story(m, 48);
  constexpr int kCol = 190, kLeft = 20, kTop = 78, kRow = 30, kBoxH = 22;
  const int cols = std::max<int>(1, int(s.actors.size()));
  const int width = kLeft * 2 + cols * kCol;
  const int rows = int(s.steps.size()) + (s.dropped_steps ? 1 : 0) + (m.hidden_records ? 1 : 0);
  const int height = kTop + rows * kRow + 40;
  auto x_of = [&](std::size_t actor) { return kLeft + int(actor) * kCol + kCol / 2; };
  auto num = [](int v) { return std::to_string(v); };

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                    "\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">\n";
  out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
         "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555555\"/></marker>"
         "<marker id=\"redarrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
         "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d00000\"/></marker></defs>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  std::string title = in.title.empty() ? std::string("weft schedule") : in.title;
  out += "<text x=\"" + num(kLeft) + "\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" + html(title) + "</text>\n";
  if (m.v)
    out += "<text x=\"" + num(kLeft) + "\" y=\"38\" fill=\"#d00000\">" +
           html(detail::truncate(detail::violation_line(*m.v), 150)) + "</text>\n";
  // Columns: a head and a lifeline per actor.
  for (std::size_t a = 0; a < s.actors.size(); ++a) {
    int x = x_of(a);
    out += "<rect x=\"" + num(x - kCol / 2 + 6) + "\" y=\"48\" width=\"" + num(kCol - 12) +
           "\" height=\"22\" rx=\"4\" fill=\"#dbe9f6\" stroke=\"#1f77b4\"/>\n";
    out += "<text x=\"" + num(x) + "\" y=\"63\" text-anchor=\"middle\" font-weight=\"bold\">" +
           html(detail::truncate(s.actors[a].name, 26)) + "</text>\n";
    out += "<line x1=\"" + num(x) + "\" y1=\"70\" x2=\"" + num(x) + "\" y2=\"" + num(height - 20) +
           "\" stroke=\"#bbbbbb\" stroke-dasharray=\"4 3\"/>\n";
  }
  int row = 0;
  auto y_of = [&](int r) { return kTop + r * kRow + kRow / 2; };
  if (m.focused && m.hidden_records) {
    out += "<text x=\"" + num(kLeft) + "\" y=\"" + num(y_of(row) + 4) + "\" fill=\"#666666\" font-style=\"italic\">" +
           html(m.hidden_summary()) + " not shown (weft render --full)</text>\n";
    ++row;
  }
  const int first_step_row = row;
  // Steps: a box on the actor's lifeline.
  for (std::size_t k = 0; k < s.steps.size(); ++k, ++row) {
    const auto& st = s.steps[k];
    int x = x_of(st.actor), y = y_of(row);
    std::string text = detail::truncate(detail::step_text(m, s, st), 30);
    const char* fill = st.red ? "#ffd0d0" : st.reps > 1 ? "#f2f2f2" : "#ffffff";
    const char* stroke = st.red ? "#d00000" : "#888888";
    out += "<g><title>" + html(detail::step_text(m, s, st) + " · t=" + format_duration(m.t.records[st.records.front()].time) +
                               " · " + m.site(m.t.records[st.records.front()].site)) +
           "</title>";
    out += "<rect x=\"" + num(x - kCol / 2 + 10) + "\" y=\"" + num(y - kBoxH / 2) + "\" width=\"" + num(kCol - 20) +
           "\" height=\"" + num(kBoxH) + "\" rx=\"4\" fill=\"" + fill + "\" stroke=\"" + stroke + "\"" +
           (st.red ? " stroke-width=\"2.5\" class=\"culprit\"" : "") + "/>";
    out += "<text x=\"" + num(x) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"middle\"" +
           (st.red ? " fill=\"#a00000\" font-weight=\"bold\"" : "") + ">" + html(text) + "</text></g>\n";
  }
  // Messages: from the sender's lifeline to the receiver's box, at the receiving row.
  for (const auto& msg : s.messages) {
    int xa = x_of(s.steps[msg.from_step].actor), xb = x_of(s.steps[msg.to_step].actor);
    int ya = y_of(first_step_row + int(msg.from_step)), yb = y_of(first_step_row + int(msg.to_step));
    const char* color = msg.red ? "#d00000" : "#555555";
    std::string label = msg.label.empty() ? edge_word(msg.kind) : msg.label;
    if (xa == xb) {  // to itself (a red chain on one task): a loop on the right of the boxes
      int xr = xa + kCol / 2 - 6;
      out += "<path d=\"M" + num(xr - 4) + "," + num(ya) + " C" + num(xr + 14) + "," + num(ya) + " " + num(xr + 14) + "," +
             num(yb) + " " + num(xr - 4) + "," + num(yb) + "\" fill=\"none\" stroke=\"" + color +
             "\" stroke-width=\"2\" marker-end=\"url(#" + (msg.red ? "redarrow" : "arrow") + ")\"/>\n";
      continue;
    }
    int dir = xb > xa ? 1 : -1;
    int x1 = xa + dir * (kCol / 2 - 10), x2 = xb - dir * (kCol / 2 - 10);
    out += "<path d=\"M" + num(x1) + "," + num(ya) + " L" + num(x2) + "," + num(yb) + "\" fill=\"none\" stroke=\"" + color +
           "\" stroke-width=\"" + (msg.red ? "2.5" : "1.2") + "\"" + (msg.red ? " class=\"culprit\"" : "") +
           " marker-end=\"url(#" + (msg.red ? "redarrow" : "arrow") + ")\"/>\n";
    out += "<text x=\"" + num((x1 + x2) / 2) + "\" y=\"" + num((ya + yb) / 2 - 4) + "\" text-anchor=\"middle\" font-size=\"9\" fill=\"" +
           color + "\"" + (msg.red ? " font-weight=\"bold\"" : "") + ">" + html(label) + "</text>\n";
  }
  if (s.dropped_steps)
    out += "<text x=\"" + num(kLeft) + "\" y=\"" + num(y_of(row) + 4) + "\" fill=\"#666666\" font-style=\"italic\">… " +
           std::to_string(s.dropped_steps) + " more steps</text>\n";
  out += "</svg>\n";
  return out;
}

}  // namespace weft::render
