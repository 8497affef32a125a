// Layout through Graphviz's C API (cgraph + gvc), and writing any rendering to a file.
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <string_view>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <system_error>

#include "weft/render/render.hpp"

namespace weft::render {

namespace {

// Graphviz keeps global state (error handler, plugin registry, symbol tables) and is not
// thread-safe: one layout at a time in this process.
std::mutex& graphviz_mutex() {
  static std::mutex m;
  return m;
}

// Messages Graphviz reports while we hold graphviz_mutex(); it would print them to stderr.
std::string& captured() {
  static std::string s;
  return s;
}

int capture_error(char* message) {
  if (message) captured() += message;
  return 0;
}

// The first non-empty line, trimmed: errors are one line.
std::string first_line(std::string_view s) {
  std::size_t b = 0;
  while (b < s.size()) {
    std::size_t e = s.find('\n', b);
    if (e == std::string_view::npos) e = s.size();
    std::string_view line = s.substr(b, e - b);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
    if (!line.empty()) return std::string(line);
    b = e + 1;
  }
  return "";
}

std::string printable(std::string_view s) {
  std::string v(s);
  for (char& c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return v;
}

// One context for the life of the process, never freed: Graphviz 2.43's pango text-layout
// plugin caches a pointer to the last font name, which lives in the context's font table, so
// freeing a context and creating the next one reads freed memory (AddressSanitizer finds it on
// the second layout). Call with graphviz_mutex() held.
LayoutStats& stats() {
  static LayoutStats s;
  return s;
}

GVC_t* context() {
  static GVC_t* gvc = nullptr;
  if (!gvc) gvc = gvContext();
  return gvc;
}

// Adds the time from its construction to its destruction to stats(), the first call's also as
// the start-up (Graphviz loads its plugins then). Lives under graphviz_mutex().
struct Timed {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  ~Timed() {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (stats().layouts++ == 0) stats().startup_seconds = s;
    stats().seconds += s;
  }
};

// Graphviz's default ID discipline makes a named object's ID the address of its interned
// name, and it keeps subgraphs ordered by ID: the clusters came out of the SVG in an order
// that followed the heap (the same picture, other bytes, from one run to the next). This
// discipline numbers names in the order the parser meets them instead (even IDs; anonymous
// objects keep the odd ones), so the same DOT text always gives the same bytes.
struct NameIds {
  std::map<std::string, IDTYPE, std::less<>> ids;
  std::deque<std::string> names;  // names[k] is ID 2k + 2; a deque keeps every c_str() valid
  IDTYPE anonymous = 1;
};

void* ids_open(Agraph_t*, Agdisc_t*) { return new NameIds; }

long ids_map(void* state, int, char* str, IDTYPE* id, int create) {
  auto* s = static_cast<NameIds*>(state);
  if (!str) {
    *id = s->anonymous;
    s->anonymous += 2;
    return 1;
  }
  if (auto it = s->ids.find(std::string_view(str)); it != s->ids.end()) {
    *id = it->second;
    return 1;
  }
  if (!create) return 0;
  s->names.emplace_back(str);
  *id = IDTYPE(2 * s->names.size());
  s->ids.emplace(s->names.back(), *id);
  return 1;
}

long ids_alloc(void*, int, IDTYPE) { return 0; }  // no caller-chosen IDs
void ids_free(void*, int, IDTYPE) {}              // names live until the graph closes
char* ids_print(void* state, int, IDTYPE id) {
  auto* s = static_cast<NameIds*>(state);
  if (id == 0 || id % 2 != 0 || id / 2 > s->names.size()) return nullptr;
  return s->names[std::size_t(id / 2 - 1)].data();
}
void ids_close(void* state) { delete static_cast<NameIds*>(state); }
void ids_register(void*, int, void*) {}

Agiddisc_t name_order_ids = {ids_open, ids_map, ids_alloc, ids_free, ids_print, ids_close, ids_register};

// Reads the DOT text from memory (what agmemread does, with the discipline above).
struct MemoryText {
  const std::string* text;
  std::size_t at = 0;
};
int memory_read(void* chan, char* buf, int size) {
  auto* m = static_cast<MemoryText*>(chan);
  if (size <= 0 || m->at >= m->text->size()) return 0;
  // One line at a time, as Graphviz's own readers hand it to the parser.
  std::size_t end = m->text->find('\n', m->at);
  end = end == std::string::npos ? m->text->size() : end + 1;
  std::size_t n = std::min(end - m->at, std::size_t(size - 1));
  std::memcpy(buf, m->text->data() + m->at, n);
  buf[n] = '\0';
  m->at += n;
  return int(n);
}
int memory_put(void*, const char*) { return 0; }
int memory_flush(void*) { return 0; }
Agiodisc_t memory_io = {memory_read, memory_put, memory_flush};
Agdisc_t ordered_disc = {&AgMemDisc, &name_order_ids, &memory_io};

Agraph_t* read_dot(const std::string& dot) {
  MemoryText text{&dot};
  return agread(&text, &ordered_disc);
}

}  // namespace

bool layout(const std::string& dot, const std::string& format, std::string& out, std::string& error) {
  out.clear();
  error.clear();
  if (format != "svg" && format != "png") {
    error = "unsupported image format '" + printable(format) + "' (expected svg or png)";
    return false;
  }
  if (dot.find('\0') != std::string::npos) {
    error = "DOT text contains a NUL byte";
    return false;
  }
  std::lock_guard lock(graphviz_mutex());
  Timed timed;
  captured().clear();
  agusererrf previous_handler = agseterrf(capture_error);
  agreseterrors();
  auto fail = [&](const std::string& what) {
    std::string why = first_line(captured());
    if (why.empty() && aglasterr()) why = first_line(aglasterr());
    error = what + (why.empty() ? "" : ": " + printable(why));
    if (why.find("not recognized") != std::string::npos)
      error += " (Graphviz plugins are not registered: run `dot -c` once as root)";
    agseterrf(previous_handler);
    return false;
  };

  GVC_t* gvc = context();
  if (!gvc) return fail("cannot create a Graphviz context");
  Agraph_t* g = read_dot(dot);
  if (!g) return fail("cannot parse DOT");
  // dot's crossing minimisation grows much faster than the graph: 1,700 nodes in a dozen
  // clusters ran for minutes. Such a graph is refused; the sequence view, the interleaving
  // table and report.html still show the execution.
  constexpr int nodes_max = 1000, edges_max = 2000;
  if (agnnodes(g) > nodes_max || agnedges(g) > edges_max) {
    const std::string size = std::to_string(agnnodes(g)) + " nodes, " + std::to_string(agnedges(g)) + " edges";
    agclose(g);
    agseterrf(previous_handler);
    error = "graph too large to lay out (" + size + "; at most " + std::to_string(nodes_max) + " nodes and " +
            std::to_string(edges_max) + " edges): see sequence.svg and report.html";
    return false;
  }
  if (gvLayout(gvc, g, "dot") != 0) {
    agclose(g);
    return fail("Graphviz layout failed");
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc, g, format.c_str(), &data, &length);
  if (rc == 0 && data) out.assign(data, length);
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g);
  agclose(g);
  if (rc != 0 || out.empty()) return fail("Graphviz cannot render " + format);
  agseterrf(previous_handler);
  return true;
}

LayoutStats layout_stats() {
  std::lock_guard lock(graphviz_mutex());
  return stats();
}

bool render_file(const RenderInput& in, const std::string& path, std::string& error) {
  error.clear();
  auto dot_pos = path.find_last_of('.');
  auto slash_pos = path.find_last_of('/');
  std::string ext;
  if (dot_pos != std::string::npos && (slash_pos == std::string::npos || dot_pos > slash_pos)) {
    ext = path.substr(dot_pos + 1);
    for (char& c : ext) c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  std::string content;
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".seq.svg")) {
    content = to_sequence_svg(in);
  } else if (ext == "mmd") {
    content = to_mermaid(in);
  } else if (ext == "html") {
    std::string svg, why;
    if (!layout(to_dot(in), "svg", svg, why)) {
      error = printable(path) + ": " + why;
      return false;
    }
    content = to_html(in, svg);
  } else if (ext == "dot") {
    content = to_dot(in);
  } else if (ext == "svg" || ext == "png") {
    std::string why;
    if (!layout(to_dot(in), ext, content, why)) {
      error = printable(path) + ": " + why;
      return false;
    }
  } else if (ext == "json") {
    content = to_chrome_json(in);
  } else if (ext == "md") {
    content = to_markdown(in);
  } else {
    error = "cannot tell the format of '" + printable(path) + "': use .dot, .svg, .png, .json, .md, .mmd, .html or .seq.svg";
    return false;
  }

  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "cannot write '" + printable(path) + "': " + std::generic_category().message(errno);
    return false;
  }
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  int write_errno = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    write_errno = errno;
  }
  if (!ok) {
    error = "cannot write '" + printable(path) + "': " + std::generic_category().message(write_errno);
    return false;
  }
  return true;
}

}  // namespace weft::render
