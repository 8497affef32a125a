// The schedule graph as DOT. Also home of the text helpers every renderer shares
// (format_duration, sanitize_utf8).
#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "model.hpp"
#include "weft/render/render.hpp"

namespace weft::render {

std::string format_duration(Nanos d) {
  if (d == 0) return "0 s";
  std::string sign = d < 0 ? "-" : "";
  // Magnitude as unsigned so that INT64_MIN does not overflow.
  std::uint64_t v = d < 0 ? std::uint64_t(0) - std::uint64_t(d) : std::uint64_t(d);
  struct Unit {
    std::uint64_t ns;
    const char* name;
    bool always_fraction;  // seconds always show milliseconds: "2.000 s"
  };
  static constexpr Unit units[] = {{1000000000ull, "s", true}, {1000000ull, "ms", false}, {1000ull, "µs", false}};
  for (const auto& u : units) {
    if (v < u.ns) continue;
    std::uint64_t whole = v / u.ns;
    std::uint64_t frac = (v % u.ns) * 1000 / u.ns;  // three digits, truncated
    char buf[64];
    if (u.always_fraction || v % u.ns != 0)
      std::snprintf(buf, sizeof buf, "%llu.%03llu %s", static_cast<unsigned long long>(whole),
                    static_cast<unsigned long long>(frac), u.name);
    else
      std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(whole), u.name);
    return sign + buf;
  }
  return sign + std::to_string(v) + " ns";
}

namespace detail {

std::string sanitize_utf8(std::string_view s) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out += char(b0);
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Reject overlong forms, surrogates and code points beyond U+10FFFF.
    if (ok) ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
                 !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

}  // namespace detail

namespace {

using detail::Edge;
using detail::html;
using detail::Model;
using detail::RecordEdge;
using detail::truncate;
using trace::ThreadIndex;
using trace::Trace;
using trace::TraceRecord;

constexpr std::size_t kCollapseMin = 4;    // runs of routine steps at least this long collapse
constexpr std::size_t kPatternMax = 8;     // longest repeated block looked for
constexpr std::size_t kFocusNodesMax = 16; // a focused picture stays within ~1600 px
constexpr std::size_t kTitleColumns = 90;   // title lines: ~900 px at the title's font size

// `s` as HTML-label text in lines of at most `columns` code points, broken at spaces, at most
// `lines_max` lines (the last cut with an ellipsis).
std::string wrapped(std::string_view s, std::size_t columns, std::size_t lines_max) {
  std::string in = detail::sanitize_utf8(s), out;
  std::size_t lines = 0;
  while (!in.empty() && lines < lines_max) {
    std::size_t cut = in.size(), count = 0, last_space = std::string::npos;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if ((static_cast<unsigned char>(in[i]) & 0xC0) == 0x80) continue;
      if (count == columns) {
        cut = i;
        break;
      }
      if (in[i] == ' ') last_space = i;
      ++count;
    }
    bool last = ++lines == lines_max;
    if (cut < in.size() && !last && last_space != std::string::npos && last_space > 0) cut = last_space;
    if (lines > 1) out += "<br/>";
    if (last && cut < in.size()) {
      out += html(truncate(in, columns));
      break;
    }
    out += html(in.substr(0, cut));
    in.erase(0, cut);
    while (!in.empty() && in.front() == ' ') in.erase(0, 1);
  }
  return out;
}

// A DOT double-quoted string (tooltips, edge labels). Graphviz decodes entities in these strings
// and re-escapes them for SVG, so markup characters go in as entities and the DOT text holds no
// raw markup from user strings. A backslash is written as two entities: a raw backslash before the
// closing quote would escape it, and Graphviz gives backslash sequences meaning (\N, \l, \") after
// decoding entities, so the pair comes out as one literal backslash.
std::string quoted(std::string_view s) {
  std::string in = detail::sanitize_utf8(s);
  std::string out = "\"";
  for (char c : in) {
    switch (c) {
      case '"': out += "&quot;"; break;
      case '\\': out += "&#92;&#92;"; break;  // decoded, then unescaped by Graphviz: one backslash
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += ' ';
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

struct EdgeStyle {
  const char* label;
  const char* color;
  const char* extra;
};

EdgeStyle style_of(Edge e) {
  switch (e) {
    case Edge::spawn: return {"spawn", "#1f77b4", ""};
    case Edge::queued: return {"queued", "#2ca02c", ""};
    case Edge::done: return {"done", "#9467bd", ""};
    case Edge::timer: return {"timer", "#ff7f0e", ""};
    case Edge::io: return {"I/O", "#17becf", ""};
    case Edge::mutex: return {"unlock", "#8c564b", ""};
    case Edge::exception: return {"exception", "#d62728", ", style=dashed"};
    case Edge::permit: return {"permit", "#8c564b", ""};
    case Edge::message: return {"message", "#17becf", ""};
    case Edge::reads: return {"read by", "#6a3d9a", ", style=dashed"};
    case Edge::wait_for: return {"waits for", "red", ", penwidth=2.5, style=bold, constraint=false"};
    case Edge::lost: return {"lost", "red", ", penwidth=2.5, style=bold, constraint=false"};
  }
  return {"", "black", ""};
}

const char* fill_of(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::spawn: return "#dbe9f6";
    case EventKind::complete: return r.text ? "#fde0c5" : "#dff3df";
    case EventKind::block:
    case EventKind::mutex_wait:
    case EventKind::sem_wait:
    case EventKind::event_wait:
    case EventKind::join_wait:
    case EventKind::channel_wait: return "#fff2b3";
    case EventKind::mutex_acquire:
    case EventKind::mutex_release:
    case EventKind::sem_acquire:
    case EventKind::sem_release:
    case EventKind::event_set:
    case EventKind::channel_send:
    case EventKind::channel_receive:
    case EventKind::channel_close: return "#efe6dc";
    case EventKind::timer_arm:
    case EventKind::timer_fire: return "#ffe6cc";
    case EventKind::io_submit:
    case EventKind::io_complete: return "#d9f2f5";
    case EventKind::blocking_begin:
    case EventKind::blocking_end: return "#e8dcf0";
    case EventKind::exception_thrown:
    case EventKind::exception_observed:
    case EventKind::exception_dropped:
    case EventKind::misuse: return "#fde0c5";
    default: return "#ffffff";
  }
}

std::string record_label(const Model& m, const TraceRecord& r) {
  std::string label = "<b>" + html(m.headline(r)) + "</b>";
  std::string more = m.specifics(r);
  if (!more.empty()) label += "<br/>" + html(more);
  label += "<br/><font point-size=\"8\">t=" + html(format_duration(r.time)) + " · step " + std::to_string(r.step);
  std::string where = m.short_site(r.site);
  if (!where.empty()) label += " · " + html(where);
  label += "</font>";
  return label;
}

std::string record_tooltip(const Model& m, const TraceRecord& r) {
  std::string tip = m.headline(r) + " at t=" + format_duration(r.time) + ", step " + std::to_string(r.step);
  std::string s = m.site(r.site);
  if (!s.empty()) tip += ", " + s;
  if (r.text) tip += ": " + std::string(m.t.text(r));
  return tip;
}

enum class NodeKind : std::uint8_t { single, run, pattern };

struct Node {
  std::string id;
  ThreadIndex lane;
  NodeKind kind;
  std::vector<std::uint32_t> records;  // in trace order
  std::size_t reps = 1;                // pattern: how many times the block repeats
  std::size_t period = 1;              // pattern: records per repetition
};

// What a node stands for, when it is more than one record.
std::string group_label(const Model& m, const Node& n) {
  const auto& rs = m.t.records;
  const auto& a = rs[n.records.front()];
  const auto& b = rs[n.records.back()];
  std::string when = "t=" + html(format_duration(a.time));
  if (b.time != a.time) when += " – " + html(format_duration(b.time));
  when += a.step == b.step ? " · step " + std::to_string(a.step)
                           : " · steps " + std::to_string(a.step) + "–" + std::to_string(b.step);
  std::string what;
  if (n.kind == NodeKind::pattern) {
    for (std::size_t k = 0; k < n.period; ++k) {
      if (k) what += k % 2 ? " → " : " →<br/>";
      what += html(m.headline(rs[n.records[k]]));
    }
    return "<b>×" + std::to_string(n.reps) + " repeated</b><br/>" + what + "<br/><font point-size=\"8\">" + when +
           "</font>";
  }
  std::map<EventKind, std::size_t> kinds;
  for (auto i : n.records) ++kinds[rs[i].kind];
  std::size_t listed = 0;
  for (const auto& [k, c] : kinds) {
    if (listed) what += listed % 3 ? ", " : "<br/>";
    what += html(to_string(k)) + " ×" + std::to_string(c);
    ++listed;
  }
  return "<i>… " + std::to_string(n.records.size()) + " steps …</i><br/>" + what + "<br/><font point-size=\"8\">" +
         when + "</font>";
}

// The nodes of the picture. Records the focus keeps become nodes; a block of records that
// repeats (a timer loop) becomes one node with a count; runs of routine steps in a lane
// become one node. `loose`: every unpinned record may join a run (to meet the size budget).
std::vector<Node> build_nodes(const Model& m, const std::vector<bool>& pinned, bool loose) {
  const auto& rs = m.t.records;
  std::vector<std::uint32_t> seq;
  for (std::size_t i = 0; i < rs.size(); ++i)
    if (m.keep[i]) seq.push_back(std::uint32_t(i));
  // Pass 1: repeated blocks, only in focused views (the full view is today's picture).
  std::vector<detail::Repeat> pieces;
  if (m.focused)
    pieces = detail::find_repeats(m.t, seq, pinned, kPatternMax);
  else
    for (std::size_t k = 0; k < seq.size(); ++k) pieces.push_back({k, 1, 1});

  // Pass 2: per lane, runs of routine singles.
  std::vector<Node> nodes;
  auto collapsible = [&](std::uint32_t i) {
    if (pinned[i] || (!loose && !m.focused && m.involved[i])) return false;
    return loose || detail::is_routine(rs[i]);
  };
  // Runs are decided per lane over that lane's singles, in order.
  std::map<ThreadIndex, std::vector<std::size_t>> lane_pieces;
  for (std::size_t p = 0; p < pieces.size(); ++p) lane_pieces[rs[seq[pieces[p].begin]].thread].push_back(p);
  std::vector<std::pair<std::size_t, Node>> made;  // (first piece, node)
  for (const auto& [lane, ps] : lane_pieces) {
    for (std::size_t k = 0; k < ps.size();) {
      const detail::Repeat& pc = pieces[ps[k]];
      if (pc.reps > 1) {
        Node n{"", lane, NodeKind::pattern, {}, pc.reps, pc.period};
        for (std::size_t j = pc.begin; j < pc.begin + pc.period * pc.reps; ++j) n.records.push_back(seq[j]);
        made.push_back({ps[k], std::move(n)});
        ++k;
        continue;
      }
      std::size_t end = k;
      while (end < ps.size() && pieces[ps[end]].reps == 1 && collapsible(seq[pieces[ps[end]].begin])) ++end;
      std::size_t min_run = loose ? 2 : m.focused ? 3 : kCollapseMin;
      if (end - k >= min_run) {
        Node n{"", lane, NodeKind::run, {}, 1, 1};
        for (std::size_t j = k; j < end; ++j) n.records.push_back(seq[pieces[ps[j]].begin]);
        made.push_back({ps[k], std::move(n)});
        k = end;
      } else {
        made.push_back({ps[k], Node{"", lane, NodeKind::single, {seq[pc.begin]}, 1, 1}});
        ++k;
      }
    }
  }
  std::sort(made.begin(), made.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [first, n] : made) {
    std::sort(n.records.begin(), n.records.end());
    n.id = (n.kind == NodeKind::single ? "r" : n.kind == NodeKind::run ? "c" : "p") + std::to_string(n.records.front());
    nodes.push_back(std::move(n));
  }
  return nodes;
}

}  // namespace

std::string to_dot(const RenderInput& in) {
  const Trace& t = in.trace;
  const auto& rs = t.records;
  Model m = detail::build_model(t, in.violation, in.full);
  const Violation* v = m.v;

  // Endpoints of the red edges stay visible.
  std::vector<bool> pinned = m.key;
  for (const auto& e : m.culprit) pinned[e.from] = pinned[e.to] = true;
  std::vector<bool> anchored = pinned;
  for (std::size_t i = 0; i < rs.size(); ++i) anchored[i] = anchored[i] || (m.anchor[i] && m.keep[i]);

  // Tightest last: the anchors (who holds the waited-for locks) are context, and go into the
  // grey runs first when the picture would outgrow its budget (a cycle of seven philosophers).
  std::vector<Node> nodes = build_nodes(m, anchored, false);
  if (m.focused && nodes.size() > kFocusNodesMax) nodes = build_nodes(m, anchored, true);
  if (m.focused && nodes.size() > kFocusNodesMax) nodes = build_nodes(m, pinned, true);
  else pinned = anchored;
  std::vector<std::size_t> node_of(rs.size(), SIZE_MAX);
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (auto i : nodes[n].records) node_of[i] = n;
  std::map<ThreadIndex, std::vector<std::size_t>> lane_nodes;  // ordered by thread index
  for (std::size_t n = 0; n < nodes.size(); ++n) lane_nodes[nodes[n].lane].push_back(n);

  // Lanes that tell the same story (ten workers each stuck in the same blocking call) are
  // drawn once, named for all of them; edges to the others land on the one drawn.
  std::map<ThreadIndex, std::vector<ThreadIndex>> twins;  // drawn lane -> lanes it stands for
  std::vector<bool> dropped(nodes.size(), false);
  std::size_t trailing_records = 0;  // routine steps after a drawn lane's story, not drawn
  if (m.focused) {
    // Strict: the same nodes in the same order. Loose (lanes with red steps): the same red
    // steps in the same order; the grey runs between them may differ and are not drawn twice.
    using Shape = std::vector<std::tuple<int, int, std::uint32_t, bool, std::size_t>>;
    for (bool loose : {false, true}) {
      std::map<Shape, ThreadIndex> by_shape;
      std::vector<ThreadIndex> merged;
      for (const auto& [lane, ids] : lane_nodes) {
        Shape shape;
        std::vector<std::size_t> shown;  // the nodes the shape is made of
        for (std::size_t n : ids) {
          const Node& node = nodes[n];
          const auto& r = rs[node.records.front()];
          bool red = node.kind == NodeKind::single && pinned[node.records.front()];
          if (loose && !red) continue;
          shape.emplace_back(int(node.kind), int(r.kind), r.site, red, node.kind == NodeKind::single ? 0 : node.records.size());
          shown.push_back(n);
        }
        if (loose && shape.empty()) continue;
        auto [it, inserted] = by_shape.emplace(std::move(shape), lane);
        if (inserted) continue;
        std::vector<std::size_t> keep_shown;
        for (std::size_t n : lane_nodes.at(it->second))
          if (!loose || (nodes[n].kind == NodeKind::single && pinned[nodes[n].records.front()])) keep_shown.push_back(n);
        for (std::size_t n : ids) {
          dropped[n] = true;
          for (auto i : nodes[n].records) node_of[i] = SIZE_MAX;
        }
        for (std::size_t k = 0; k < shown.size(); ++k)
          for (auto i : nodes[shown[k]].records) node_of[i] = keep_shown[k];
        auto& tw = twins[it->second];
        tw.push_back(lane);
        if (auto own = twins.find(lane); own != twins.end()) {
          tw.insert(tw.end(), own->second.begin(), own->second.end());
          twins.erase(own);
        }
        merged.push_back(lane);
      }
      for (ThreadIndex lane : merged) lane_nodes.erase(lane);
    }
    for (auto& [lane, tw] : twins) std::sort(tw.begin(), tw.end());
    // Routine steps after a lane's last step that matters (a worker going back to its loop, a
    // task's last suspend) are counted in the summary, not drawn. Counted apart from what the
    // focus leaves out: those are on the lanes drawn, and the other views show them.
    for (auto& [lane, ids] : lane_nodes) {
      auto trailing = [&](const Node& n) {
        return n.kind == NodeKind::run || (n.kind == NodeKind::single && !pinned[n.records.front()] &&
                                           rs[n.records.front()].kind == EventKind::suspend);
      };
      while (ids.size() > 1 && trailing(nodes[ids.back()])) {
        dropped[ids.back()] = true;
        trailing_records += nodes[ids.back()].records.size();
        for (auto i : nodes[ids.back()].records) node_of[i] = SIZE_MAX;
        ids.pop_back();
      }
    }
  }

  std::string out;
  out += "digraph schedule {\n";
  out += "  graph [rankdir=TB, newrank=true, nodesep=0.2, ranksep=0.16, fontname=\"Helvetica\", labelloc=t, "
         "labeljust=l";
  {
    std::string title = "<b>" + html(in.title.empty() ? std::string("weft schedule") : in.title) + "</b>";
    if (v)
      title += "<br/><font color=\"red\">" +
               wrapped(detail::violation_line(*v) + " (t=" + format_duration(v->time) + ")", kTitleColumns, 2) + "</font>";
    if (in.pair && in.pair->found)
      title += "<br/><font color=\"#1a7f37\">" + wrapped("minimal pair: " + in.pair->sentence, kTitleColumns, 2) + "</font>";
    out += ", label=<" + title + ">";
  }
  out += "];\n";
  out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10, "
         "margin=\"0.08,0.03\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n";

  for (const auto& [lane, ids] : lane_nodes) {
    bool red = m.red_threads.count(lane) != 0;
    std::string name = html(m.thread(lane));
    if (auto tw = twins.find(lane); tw != twins.end()) {
      for (ThreadIndex other : tw->second) red = red || m.red_threads.count(other);
      name += " <font point-size=\"10\">and " + std::to_string(tw->second.size()) + " more doing the same: " +
              html(m.thread(tw->second.front())) + (tw->second.size() > 1 ? " … " + html(m.thread(tw->second.back())) : "") +
              "</font>";
    }
    out += "  subgraph cluster_t" + std::to_string(lane) + " {\n";
    out += "    label=<<b>" + name + "</b>>;\n";
    out += red ? "    color=red; penwidth=2; fontcolor=red; style=rounded;\n"
               : "    color=\"#888888\"; style=rounded;\n";
    for (std::size_t n : ids) {
      const Node& node = nodes[n];
      if (node.kind != NodeKind::single) {
        out += "    " + node.id + " [label=<" + group_label(m, node) +
               ">, style=\"rounded,dashed,filled\", fillcolor=\"#f2f2f2\", fontcolor=\"#555555\"];\n";
        continue;
      }
      std::uint32_t i = node.records.front();
      const TraceRecord& r = rs[i];
      out += "    " + node.id + " [label=<" + record_label(m, r) + ">, tooltip=" + quoted(record_tooltip(m, r));
      if (m.key[i])
        out += ", color=red, penwidth=2.5, fillcolor=\"#ffd0d0\", fontcolor=\"#a00000\"";
      else
        out += ", fillcolor=\"" + std::string(fill_of(r)) + "\"";
      out += "];\n";
    }
    // The lane: steps of one thread in order.
    for (std::size_t k = 1; k < ids.size(); ++k)
      out += "    " + nodes[ids[k - 1]].id + " -> " + nodes[ids[k]].id + " [color=\"#aaaaaa\", weight=10];\n";
    out += "  }\n";
  }

  // What the focus leaves out, counted, at the top.
  std::vector<std::size_t> drawn;
  for (std::size_t n = 0; n < nodes.size(); ++n)
    if (!dropped[n]) drawn.push_back(n);
  if (m.focused && (m.hidden_records || trailing_records) && !nodes.empty()) {
    std::string summary = m.hidden_summary();
    if (trailing_records)
      summary += (summary.empty() ? "" : ", and ") + std::to_string(trailing_records) + " routine step" +
                 (trailing_records == 1 ? "" : "s") + " after the story";
    out += "  hidden [label=<<i>" + html(summary) +
           "</i><br/><font point-size=\"8\">not drawn: weft render --full</font>>, style=\"rounded,dashed\", "
           "color=\"#999999\", fontcolor=\"#666666\"];\n";
    out += "  hidden -> " + nodes.front().id + " [style=invis];\n";
  }

  // Rows follow the schedule: each node sits below every node that started before it, in any
  // lane, so reading top to bottom replays the interleaving. (Without this, Graphviz places a
  // node anywhere its edges allow, and a spawn can drift below the steps that came after it.)
  for (std::size_t k = 1; k < drawn.size(); ++k) {
    const Node& a = nodes[drawn[k - 1]];
    const Node& b = nodes[drawn[k]];
    if (a.lane != b.lane) out += "  " + a.id + " -> " + b.id + " [style=invis];\n";
  }

  // Happens-before across lanes, merged when collapsing maps several onto one pair of nodes.
  std::vector<std::tuple<std::size_t, std::size_t, Edge>> order;
  std::map<std::tuple<std::size_t, std::size_t, Edge>, std::size_t> merged;
  // An edge ends only on a drawn node (a lane's trailing run may be gone while a twin lane's
  // records still map onto it).
  auto drawn_node = [&](std::size_t n) { return n != SIZE_MAX && !dropped[n]; };
  for (const auto& e : m.hb) {
    std::size_t a = node_of[e.from], b = node_of[e.to];
    if (!drawn_node(a) || !drawn_node(b) || a == b) continue;
    auto key = std::make_tuple(a, b, e.kind);
    if (merged[key]++ == 0) order.push_back(key);
  }
  for (const auto& key : order) {
    auto [a, b, kind] = key;
    EdgeStyle s = style_of(kind);
    std::string label = s.label;
    if (merged[key] > 1) label += " ×" + std::to_string(merged[key]);
    bool red = kind == Edge::exception && m.key[nodes[a].records.front()];
    // Collapsing can make an edge point into a run that started earlier: draw it, do not rank by it.
    bool backwards = nodes[b].records.front() < nodes[a].records.front();
    out += "  " + nodes[a].id + " -> " + nodes[b].id + " [color=\"" + (red ? std::string("red") : s.color) +
           "\", fontcolor=\"" + (red ? std::string("red") : s.color) + "\", label=" + quoted(label) + s.extra +
           (red ? ", penwidth=2" : "") + (backwards ? ", constraint=false" : "") + "];\n";
  }
  for (const auto& e : m.culprit) {
    EdgeStyle s = style_of(e.kind);
    std::size_t a = node_of[e.from], b = node_of[e.to];
    if (!drawn_node(a) || !drawn_node(b) || a == b) continue;
    out += "  " + nodes[a].id + " -> " + nodes[b].id + " [color=\"" + s.color + "\", fontcolor=\"" + s.color +
           "\", label=<<b>" + html(e.label.empty() ? s.label : e.label) + "</b>>" + s.extra + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace weft::render
