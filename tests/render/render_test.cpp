// Renderers of one execution (tools/render) and the Trace / Violation helpers they rely on.
// DOT and Markdown are compared byte for byte against approved baselines in approved/; on a
// mismatch the test writes <name>.received next to the baseline: review it, and if it is right,
// move it over the .approved file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "weft/properties/invariant.hpp"
#include "weft/properties/property.hpp"
#include "weft/properties/violation.hpp"
#include "weft/render/render.hpp"
#include "weft/sim/sim.hpp"
#include "weft/trace/trace.hpp"
#include "weft/weft.hpp"

namespace {

using weft::EventKind;
using weft::Nanos;
using weft::Violation;
using weft::ViolationKind;
using weft::render::RenderInput;
using weft::sim::Trace;
using namespace weft;  // _ms, _s

const std::string kScript = "\"<script>alert(1)</script>";

struct Rec {
  Nanos time = 0;
  std::uint32_t step = 0;
  std::uint16_t thread = 0;
  EventKind kind{};
  TaskId task = 0;
  TaskId other = 0;
  ObjectId object = 0;
  std::int64_t value = 0;
  const char* file = nullptr;
  std::uint32_t line = 0;
  std::string_view text{};
};

std::uint32_t add(Trace& t, const Rec& r) {
  weft::sim::TraceRecord rec;
  rec.time = r.time;
  rec.step = r.step;
  rec.thread = r.thread;
  rec.kind = r.kind;
  rec.task = r.task;
  rec.other = r.other;
  rec.object = r.object;
  rec.value = r.value;
  rec.site = t.intern_site(r.file, r.line);
  rec.text = t.intern_text(r.text);
  t.records.push_back(rec);
  return std::uint32_t(t.records.size() - 1);
}

void add_task(Trace& t, TaskId parent, const char* file, std::uint32_t line, ObjectId executor, bool detached = false) {
  weft::sim::TaskInfo info;
  info.id = TaskId(t.tasks.size() + 1);
  info.parent = parent;
  info.site = t.intern_site(file, line);
  info.executor = executor;
  info.stable_key = 1000 + info.id;
  info.detached = detached;
  t.tasks.push_back(info);
}

// Two threads wait for each other: the UI thread block_on()s task 2 (on the pool); task 2, after
// a 350 ms timer, spawns task 3 on the UI executor and block_on()s it on pool-0.
struct DeadlockCase {
  Trace trace;
  Violation violation;
};

DeadlockCase deadlock_case() {
  DeadlockCase c;
  Trace& t = c.trace;
  t.threads = {{"ui", 1}, {"pool-0", 2}, {"timer", 0}};
  t.executors = {{1, "ui"}, {2, "pool"}};
  add_task(t, 0, "app/handlers.cpp", 10, 1);
  add_task(t, 1, "app/handlers.cpp", 21, 2);
  add_task(t, 2, "app/handlers.cpp", 33, 1);
  add(t, {.time = 0, .step = 0, .thread = 0, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = 0, .thread = 0, .kind = EventKind::executor_create, .object = 1, .text = "ui"});
  add(t, {.time = 0, .step = 0, .thread = 0, .kind = EventKind::executor_create, .object = 2, .text = "pool"});
  add(t, {.time = 0, .step = 1, .thread = 1, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = 2, .thread = 2, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = 3, .thread = 0, .kind = EventKind::spawn, .task = 1, .object = 1, .file = "app/handlers.cpp", .line = 10});
  add(t, {.time = 0, .step = 3, .thread = 0, .kind = EventKind::schedule, .task = 1, .object = 1});
  add(t, {.time = 0, .step = 4, .thread = 0, .kind = EventKind::resume, .task = 1, .object = 1});
  add(t, {.time = 0, .step = 4, .thread = 0, .kind = EventKind::spawn, .task = 2, .other = 1, .object = 2, .file = "app/handlers.cpp", .line = 21});
  add(t, {.time = 0, .step = 4, .thread = 0, .kind = EventKind::schedule, .task = 2, .object = 2});
  std::uint32_t ui_block =
      add(t, {.time = 0, .step = 5, .thread = 0, .kind = EventKind::block, .task = 1, .other = 2, .file = "app/handlers.cpp", .line = 12});
  add(t, {.time = 0, .step = 6, .thread = 1, .kind = EventKind::resume, .task = 2, .object = 2});
  add(t, {.time = 0, .step = 6, .thread = 1, .kind = EventKind::timer_arm, .task = 2, .value = 350_ms});
  add(t, {.time = 0, .step = 6, .thread = 1, .kind = EventKind::suspend, .task = 2, .object = 2});
  add(t, {.time = 350_ms, .step = 7, .thread = 2, .kind = EventKind::timer_fire, .task = 2, .value = 350_ms});
  add(t, {.time = 350_ms, .step = 7, .thread = 2, .kind = EventKind::schedule, .task = 2, .object = 2});
  add(t, {.time = 350_ms, .step = 8, .thread = 1, .kind = EventKind::resume, .task = 2, .object = 2});
  add(t, {.time = 350_ms, .step = 8, .thread = 1, .kind = EventKind::spawn, .task = 3, .other = 2, .object = 1, .file = "app/handlers.cpp", .line = 33});
  add(t, {.time = 350_ms, .step = 8, .thread = 1, .kind = EventKind::schedule, .task = 3, .object = 1});
  std::uint32_t pool_block =
      add(t, {.time = 350_ms, .step = 9, .thread = 1, .kind = EventKind::block, .task = 2, .other = 3, .file = "app/handlers.cpp", .line = 34});

  Violation& v = c.violation;
  v.kind = ViolationKind::deadlock;
  v.message = "ui and pool-0 wait for each other (block_on cycle of 2 threads)";
  v.time = 350_ms;
  v.threads = {0, 1};
  v.tasks = {2, 3};
  v.locations = {"app/handlers.cpp:34", "app/handlers.cpp:12"};
  v.records = {ui_block, pool_block};
  v.detail =
      "ui (thread 0) blocks in block_on(task 2) at app/handlers.cpp:12\n"
      "task 2 runs on pool-0 (thread 1), which blocks in block_on(task 3) at app/handlers.cpp:34\n"
      "task 3 is queued on executor ui, served only by ui: nobody can run it";
  return c;
}

// A detached task faults after 2 s of blocking I/O and nobody observes the exception.
struct LostCase {
  Trace trace;
  Violation violation;
};

LostCase lost_exception_case() {
  LostCase c;
  Trace& t = c.trace;
  t.threads = {{"main", 0}, {"pool-0", 1}};
  t.executors = {{1, "pool"}};
  add_task(t, 0, "app/worker.cpp", 7, 1, true);
  add_task(t, 0, "app/worker.cpp", 12, 1);
  const std::string_view what = "cache server unreachable: connect() timed out";
  add(t, {.time = 0, .step = 0, .thread = 0, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = 0, .thread = 0, .kind = EventKind::executor_create, .object = 1, .text = "pool"});
  add(t, {.time = 0, .step = 1, .thread = 1, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = 2, .thread = 0, .kind = EventKind::spawn, .task = 1, .object = 1, .value = 1, .file = "app/worker.cpp", .line = 7});
  add(t, {.time = 0, .step = 2, .thread = 0, .kind = EventKind::schedule, .task = 1, .object = 1});
  add(t, {.time = 0, .step = 3, .thread = 0, .kind = EventKind::spawn, .task = 2, .object = 1, .file = "app/worker.cpp", .line = 12});
  add(t, {.time = 0, .step = 3, .thread = 0, .kind = EventKind::schedule, .task = 2, .object = 1});
  add(t, {.time = 0, .step = 4, .thread = 0, .kind = EventKind::block, .other = 2, .file = "app/worker.cpp", .line = 13});
  add(t, {.time = 0, .step = 5, .thread = 1, .kind = EventKind::resume, .task = 1, .object = 1});
  add(t, {.time = 0, .step = 5, .thread = 1, .kind = EventKind::blocking_begin, .task = 1, .object = 0, .value = 2_s, .file = "app/worker.cpp", .line = 8});
  add(t, {.time = 2_s, .step = 6, .thread = 1, .kind = EventKind::blocking_end, .task = 1, .object = 0, .value = 2_s, .file = "app/worker.cpp", .line = 8});
  std::uint32_t faulted = add(t, {.time = 2_s, .step = 6, .thread = 1, .kind = EventKind::complete, .task = 1, .text = what});
  add(t, {.time = 2_s, .step = 6, .thread = 1, .kind = EventKind::suspend, .task = 1, .object = 1});
  add(t, {.time = 2_s, .step = 7, .thread = 1, .kind = EventKind::resume, .task = 2, .object = 1});
  add(t, {.time = 2_s, .step = 7, .thread = 1, .kind = EventKind::complete, .task = 2});
  add(t, {.time = 2_s, .step = 7, .thread = 1, .kind = EventKind::suspend, .task = 2, .object = 1});
  add(t, {.time = 2_s, .step = 8, .thread = 0, .kind = EventKind::wake, .other = 2});
  std::uint32_t dropped = add(t, {.time = 2_s, .step = 9, .thread = 0, .kind = EventKind::exception_dropped, .task = 1, .value = 1,
                                  .file = "app/worker.cpp", .line = 7, .text = what});

  Violation& v = c.violation;
  v.kind = ViolationKind::lost_exception;
  v.message = "detached task 1 failed and nobody observed it: cache server unreachable: connect() timed out";
  v.time = 2_s;
  v.threads = {1};
  v.tasks = {1};
  v.locations = {"app/worker.cpp:7"};
  v.records = {faulted, dropped};
  v.detail =
      "task 1 was spawned detached at app/worker.cpp:7 (spawn_detached)\n"
      "it threw at t=2.000 s on pool-0: cache server unreachable: connect() timed out\n"
      "its frame was destroyed at t=2.000 s with the exception unobserved";
  return c;
}

// Main spawns `tasks` tasks onto three pool workers, which run them one after another:
// `6 + 5 * tasks` records, almost all of them routine.
Trace busy_trace(int tasks) {
  Trace t;
  t.threads = {{"main", 0}, {"pool-0", 1}, {"pool-1", 1}, {"pool-2", 1}};
  t.executors = {{1, "pool"}};
  std::uint32_t step = 0;
  Nanos now = 0;
  for (std::uint16_t th = 0; th < 4; ++th) add(t, {.time = 0, .step = step++, .thread = th, .kind = EventKind::thread_start});
  add(t, {.time = 0, .step = step++, .thread = 0, .kind = EventKind::executor_create, .object = 1, .text = "pool"});
  add(t, {.time = 0, .step = step++, .thread = 0, .kind = EventKind::user, .text = "start of load"});
  for (int i = 0; i < tasks; ++i) {
    TaskId id = TaskId(i + 1);
    add_task(t, 0, "app/load.cpp", 40, 1);
    std::uint16_t worker = std::uint16_t(1 + i % 3);
    add(t, {.time = now, .step = step++, .thread = 0, .kind = EventKind::spawn, .task = id, .object = 1, .file = "app/load.cpp", .line = 40});
    add(t, {.time = now, .step = step++, .thread = 0, .kind = EventKind::schedule, .task = id, .object = 1});
    add(t, {.time = now, .step = step++, .thread = worker, .kind = EventKind::resume, .task = id, .object = 1});
    now += 1_ms;
    add(t, {.time = now, .step = step++, .thread = worker, .kind = EventKind::complete, .task = id});
    add(t, {.time = now, .step = step++, .thread = worker, .kind = EventKind::suspend, .task = id, .object = 1});
  }
  return t;
}

std::filesystem::path approved_dir() {
#ifdef WEFT_RENDER_APPROVED_DIR
  return WEFT_RENDER_APPROVED_DIR;
#else
  return std::filesystem::path(__FILE__).parent_path() / "approved";
#endif
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Byte-for-byte against approved/<name>; writes approved/<name>.received on a mismatch.
void check_approved(const std::string& name, const std::string& received) {
  auto approved = approved_dir() / name;
  auto received_path = approved_dir() / (name + ".received");
  bool exists = std::filesystem::exists(approved);
  std::string expected = exists ? read_file(approved) : std::string();
  if (exists && expected == received) {
    std::filesystem::remove(received_path);
    SUCCEED(name << " matches");
    return;
  }
  std::filesystem::create_directories(approved_dir());
  std::ofstream(received_path, std::ios::binary) << received;
  INFO("wrote " << received_path.string() << "; review it and move it over " << approved.string());
  CHECK(exists);
  CHECK(expected == received);
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

std::size_t dot_node_count(const std::string& dot) {
  std::size_t n = 0;
  std::istringstream in(dot);
  for (std::string line; std::getline(in, line);) {
    auto p = line.find_first_not_of(' ');
    if (p == std::string::npos || (line[p] != 'r' && line[p] != 'c' && line[p] != 'p') || line.find(" [label=") == std::string::npos) continue;
    if (line.find(" -> ") == std::string::npos) ++n;
  }
  return n;
}

// ---- a tiny JSON reader: enough to prove the output parses and to look inside it ----

struct Json;
using JsonObject = std::map<std::string, Json>;
using JsonArray = std::vector<Json>;
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<JsonArray>, std::shared_ptr<JsonObject>> v;
  const JsonObject& obj() const { return *std::get<std::shared_ptr<JsonObject>>(v); }
  const JsonArray& arr() const { return *std::get<std::shared_ptr<JsonArray>>(v); }
  const std::string& str() const { return std::get<std::string>(v); }
  double num() const { return std::get<double>(v); }
  bool is_obj() const { return std::holds_alternative<std::shared_ptr<JsonObject>>(v); }
  bool has(const std::string& k) const { return is_obj() && obj().count(k); }
  const Json& at(const std::string& k) const { return obj().at(k); }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}
  // Throws std::runtime_error with the offset on malformed input.
  Json document() {
    Json j = value();
    ws();
    if (i_ != s_.size()) fail("trailing characters");
    return j;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  [[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + " at offset " + std::to_string(i_)); }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  char peek() { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  Json value() {
    ws();
    char c = peek();
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return Json{string()};
    if (literal("true")) return Json{true};
    if (literal("false")) return Json{false};
    if (literal("null")) return Json{nullptr};
    return Json{number()};
  }
  Json object() {
    expect('{');
    auto o = std::make_shared<JsonObject>();
    ws();
    if (peek() == '}') {
      ++i_;
      return Json{o};
    }
    for (;;) {
      ws();
      std::string k = string();
      ws();
      expect(':');
      if (o->count(k)) fail("duplicate key " + k);
      (*o)[k] = value();
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect('}');
      return Json{o};
    }
  }
  Json array() {
    expect('[');
    auto a = std::make_shared<JsonArray>();
    ws();
    if (peek() == ']') {
      ++i_;
      return Json{a};
    }
    for (;;) {
      a->push_back(value());
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect(']');
      return Json{a};
    }
  }
  double number() {
    std::size_t start = i_;
    if (peek() == '-') ++i_;
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("bad value");
    if (peek() == '0') ++i_;
    else
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    if (peek() == '.') {
      ++i_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("bad fraction");
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("bad exponent");
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    return std::stod(std::string(s_.substr(start, i_ - start)));
  }
  void utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  std::uint32_t hex4() {
    if (i_ + 4 > s_.size()) fail("short \\u escape");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= std::uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') v |= std::uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= std::uint32_t(c - 'A' + 10);
      else fail("bad hex digit");
    }
    return v;
  }
  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!literal("\\u")) fail("lone surrogate");
            std::uint32_t lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }
};

Json parse_json(const std::string& s) { return JsonReader(s).document(); }

// Occurrences of `needle` in Markdown prose: outside fenced blocks and code spans (where
// a renderer shows text verbatim and inert).
std::size_t count_in_markdown_prose(const std::string& md, const std::string& needle) {
  std::size_t n = 0;
  std::istringstream in(md);
  std::size_t fence = 0;  // length of the open fence, 0 = none
  for (std::string line; std::getline(in, line);) {
    std::size_t ticks = 0;
    while (ticks < line.size() && line[ticks] == '`') ++ticks;
    if (fence) {
      if (ticks >= fence && line.find_first_not_of('`') == std::string::npos) fence = 0;
      continue;
    }
    if (ticks >= 3) {
      fence = ticks;
      continue;
    }
    std::string prose;
    for (std::size_t i = 0; i < line.size();) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        prose += line.substr(i, 2);
        i += 2;
        continue;
      }
      if (line[i] != '`') {
        prose += line[i++];
        continue;
      }
      std::size_t run = 0;
      while (i + run < line.size() && line[i + run] == '`') ++run;
      std::string close(run, '`');
      std::size_t end = line.find(close, i + run);
      while (end != std::string::npos && end + run < line.size() && line[end + run] == '`') end = line.find(close, end + run + 1);
      if (end == std::string::npos) {
        prose += line.substr(i, run);
        i += run;
      } else {
        i = end + run;  // skip the code span
      }
    }
    n += count(prose, needle);
  }
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Trace and Violation

TEST_CASE("Trace interns sites and texts, index 0 means none", "[render][trace]") {
  Trace t;
  CHECK(t.intern_site(nullptr, 0) == 0);
  CHECK(t.intern_text("") == 0);
  auto a = t.intern_site("a.cpp", 1);
  auto b = t.intern_site("a.cpp", 2);
  CHECK(a != b);
  CHECK(t.intern_site("a.cpp", 1) == a);
  CHECK(t.sites[a].str() == "a.cpp:1");
  auto x = t.intern_text("boom");
  CHECK(t.intern_text("boom") == x);
  CHECK(t.strings[x] == "boom");
  t.clear();
  CHECK(t.records.empty());
  CHECK(t.strings.size() == 1);
  CHECK(t.sites.size() == 1);
  CHECK(t.executor_name(0) == "none");
  t.executors = {{7, "ui"}};
  CHECK(t.executor_name(7) == "ui");
  CHECK(t.executor_name(8) == "executor#8");
}

TEST_CASE("Trace hash covers contents, not table layout", "[render][trace]") {
  auto a = deadlock_case().trace;
  auto b = deadlock_case().trace;
  CHECK(a.hash() == b.hash());
  // Pinned: saved hashes (determinism checks across builds and machines) must stay comparable.
  // Change it only together with the hash function, on purpose.
  CHECK(a.hash() == 0x5400acb885e806caull);

  SECTION("a different field changes it") {
    b.records[5].value = 1;
    CHECK(a.hash() != b.hash());
  }
  SECTION("a different string changes it") {
    b.strings[b.records[1].text] = "UI";
    CHECK(a.hash() != b.hash());
  }
  SECTION("the same text at another index does not") {
    // Re-intern with an unused string first: indices move, contents do not.
    Trace c;
    c.threads = a.threads;
    c.tasks = a.tasks;
    c.executors = a.executors;
    c.sites = a.sites;
    c.intern_text("unused");
    for (auto r : a.records) {
      r.text = c.intern_text(a.text(r));
      c.records.push_back(r);
    }
    CHECK(c.hash() == a.hash());
  }
  SECTION("an empty trace hashes to a fixed value") {
    CHECK(Trace().hash() == 0x0c8210784d8af5a5ull);
    Trace c = a;
    c.clear();
    CHECK(c.hash() == Trace().hash());
  }
}

TEST_CASE("Trace dump is one line per record", "[render][trace]") {
  auto c = lost_exception_case();
  c.trace.threads[1].name = "pool 0\nx";
  std::string d = c.trace.dump();
  CHECK(count(d, "\n") == c.trace.records.size());
  CHECK(d.rfind("t=0 s=0 th=main thread_start task=0\n", 0) == 0);
  CHECK(d.find("t=2000000000 s=6 th=\"pool 0\\nx\" complete task=1 text=\"cache server unreachable: connect() timed out\"\n") !=
        std::string::npos);
  CHECK(d.find("spawn task=1 object=1 value=1 at=app/worker.cpp:7\n") != std::string::npos);
}

TEST_CASE("Violation kinds have names that parse back", "[render][violation]") {
  const char* names[] = {"none", "deadlock", "starvation", "lost-exception", "hang", "cancellation",
                         "misuse", "invariant", "crash", "limit", "nondeterminism"};
  for (int k = 0; k <= int(ViolationKind::nondeterminism); ++k) {
    auto kind = ViolationKind(k);
    CHECK(std::string(weft::to_string(kind)) == names[k]);
    ViolationKind back{};
    CHECK(weft::parse_violation_kind(names[k], back));
    CHECK(back == kind);
  }
  ViolationKind out = ViolationKind::hang;
  CHECK(weft::parse_violation_kind("lost_exception", out));
  CHECK(out == ViolationKind::lost_exception);
  CHECK_FALSE(weft::parse_violation_kind("Deadlock", out));
  CHECK_FALSE(weft::parse_violation_kind("", out));
  CHECK_FALSE(weft::parse_violation_kind("deadlock ", out));
}

TEST_CASE("Violation signature: kind, sorted unique locations, cycle length", "[render][violation]") {
  auto v = deadlock_case().violation;
  CHECK(v.signature() == "deadlock|app/handlers.cpp:12;app/handlers.cpp:34|cycle=2");
  auto w = v;
  w.locations = {"app/handlers.cpp:12", "app/handlers.cpp:34", "app/handlers.cpp:12"};
  w.message = "worded differently";
  w.time = 1_s;
  CHECK(w.signature() == v.signature());
  w.threads = {0};
  CHECK(w.signature() != v.signature());
  auto l = lost_exception_case().violation;
  CHECK(l.signature() == "lost-exception|app/worker.cpp:7");
}

// ---------------------------------------------------------------------------------------------
// Renderers

TEST_CASE("format_duration speaks human units", "[render]") {
  using weft::render::format_duration;
  CHECK(format_duration(0) == "0 s");
  CHECK(format_duration(750) == "750 ns");
  CHECK(format_duration(12_us) == "12 µs");
  CHECK(format_duration(350_ms) == "350 ms");
  CHECK(format_duration(1500_us) == "1.500 ms");
  CHECK(format_duration(2_s) == "2.000 s");
  CHECK(format_duration(2_s + 5_ms) == "2.005 s");
  CHECK(format_duration(-3_ms) == "-3 ms");
  CHECK(format_duration(INT64_MIN).rfind("-9223372036.854 s", 0) == 0);
}

TEST_CASE("DOT of a deadlock matches the approved baseline", "[render][dot]") {
  auto c = deadlock_case();
  RenderInput in{c.trace, &c.violation, "ui_block_on_deadlock (seed 42)", "weft replay ui_block_on_deadlock --schedule 42:AAEC",
                 "ui_block_on_deadlock.svg"};
  std::string dot = weft::render::to_dot(in);
  check_approved("deadlock.dot", dot);
  // The cycle: ui waits for 2, 2 needs pool-0, pool-0 waits for 3, 3 needs ui.
  CHECK(count(dot, "<b>waits for task") == 2);
  CHECK(count(dot, "<b>needs ") == 2);
  CHECK(dot.find("subgraph cluster_t0 {\n    label=<<b>ui</b>>;\n    color=red;") != std::string::npos);
  CHECK(dot.find("subgraph cluster_t2 {\n    label=<<b>timer</b>>;\n    color=\"#888888\"") != std::string::npos);
  CHECK(weft::render::to_dot(in) == dot);  // deterministic
}

TEST_CASE("DOT of a lost exception matches the approved baseline", "[render][dot]") {
  auto c = lost_exception_case();
  RenderInput in{c.trace, &c.violation, "fire_and_forget", "weft replay fire_and_forget --seed 7", "fire_and_forget.svg"};
  std::string dot = weft::render::to_dot(in);
  check_approved("lost_exception.dot", dot);
  // The spawn site and the exception nodes are red; the wake of main is an ordinary node.
  auto line_of = [&](const std::string& id) {
    auto p = dot.find("    " + id + " [label=");
    REQUIRE(p != std::string::npos);
    return dot.substr(p, dot.find('\n', p) - p);
  };
  CHECK(line_of("r3").find("fillcolor=\"#ffd0d0\"") != std::string::npos);   // spawn of task 1
  CHECK(line_of("r11").find("fillcolor=\"#ffd0d0\"") != std::string::npos);  // faulted
  CHECK(line_of("r17").find("fillcolor=\"#ffd0d0\"") != std::string::npos);  // dropped
  CHECK(line_of("r16").find("color=red") == std::string::npos);              // main's wake
  CHECK(dot.find("r14 -> r16 [color=\"#9467bd\"") != std::string::npos);      // complete -> wake
}

TEST_CASE("DOT without a violation draws nothing red", "[render][dot]") {
  auto c = lost_exception_case();
  RenderInput in{c.trace, nullptr, "ok", "", ""};
  std::string dot = weft::render::to_dot(in);
  CHECK(dot.find("red") == std::string::npos);
  CHECK(dot.find("c0 -> r8 [color=\"#1f77b4\"") != std::string::npos);  // spawn (collapsed) -> first resume
}

TEST_CASE("Markdown reports match the approved baselines", "[render][markdown]") {
  auto d = deadlock_case();
  RenderInput din{d.trace, &d.violation, "ui_block_on_deadlock (seed 42)", "weft replay ui_block_on_deadlock --schedule 42:AAEC",
                  "ui_block_on_deadlock.svg"};
  check_approved("deadlock.md", weft::render::to_markdown(din));
  auto l = lost_exception_case();
  RenderInput lin{l.trace, &l.violation, "fire_and_forget", "weft replay fire_and_forget --seed 7", "fire_and_forget.svg"};
  check_approved("lost_exception.md", weft::render::to_markdown(lin));
}

TEST_CASE("Markdown of a passing run says so", "[render][markdown]") {
  auto l = lost_exception_case();
  RenderInput in{l.trace, nullptr, "fire_and_forget_fixed", "", ""};
  std::string md = weft::render::to_markdown(in);
  CHECK(md.find("- **Kind:** none\n- **Message:** no violation\n") != std::string::npos);
  CHECK(md.find("No replay command was given.") != std::string::npos);
  CHECK(md.find("## Schedule") == std::string::npos);
}

TEST_CASE("Chrome JSON parses and has one track per thread", "[render][chrome]") {
  auto c = lost_exception_case();
  RenderInput in{c.trace, &c.violation, "fire_and_forget", "weft replay fire_and_forget --seed 7", ""};
  std::string text = weft::render::to_chrome_json(in);
  Json doc;
  REQUIRE_NOTHROW(doc = parse_json(text));
  REQUIRE(doc.is_obj());
  CHECK(doc.at("displayTimeUnit").str() == "ns");
  const auto& events = doc.at("traceEvents").arr();
  std::map<double, std::string> thread_names;
  std::vector<const Json*> slices, instants;
  for (const auto& e : events) {
    REQUIRE(e.has("ph"));
    REQUIRE(e.has("pid"));
    REQUIRE(e.has("tid"));
    REQUIRE(e.has("name"));
    const std::string& ph = e.at("ph").str();
    if (ph == "M" && e.at("name").str() == "thread_name") thread_names[e.at("tid").num()] = e.at("args").at("name").str();
    if (ph == "X") slices.push_back(&e);
    if (ph == "i") instants.push_back(&e);
    if (ph != "M") REQUIRE(e.has("ts"));
  }
  CHECK(thread_names == std::map<double, std::string>{{0, "main"}, {1, "pool-0"}});

  auto find_slice = [&](const std::string& name) -> const Json* {
    for (const Json* s : slices)
      if (s->at("name").str() == name) return s;
    return nullptr;
  };
  const Json* run = find_slice("task 1 (app/worker.cpp:7)");
  REQUIRE(run);
  CHECK(run->at("tid").num() == 1);
  CHECK(run->at("ts").num() == 0);
  CHECK(run->at("dur").num() == 2000000.0);  // µs
  CHECK(run->has("cname"));                  // involved in the violation
  const Json* io = find_slice("blocking_io 2.000 s");
  REQUIRE(io);
  CHECK(io->at("dur").num() == 2000000.0);
  CHECK(io->at("args").at("site").str() == "app/worker.cpp:8");
  const Json* block = find_slice("block_on task 2");
  REQUIRE(block);
  CHECK(block->at("tid").num() == 0);
  CHECK(block->at("dur").num() == 2000000.0);
  CHECK(find_slice("task 2 (app/worker.cpp:12)"));

  bool violation_marker = false, complete_instant = false;
  for (const Json* i : instants) {
    if (i->at("name").str().rfind("lost-exception: ", 0) == 0) violation_marker = i->at("s").str() == "g";
    // Instants are named as people read them; the record kind is an argument.
    if (i->at("args").at("kind").str() == "complete" && i->at("args").has("text"))
      complete_instant = i->at("name").str() == "faulted task 1" &&
                         i->at("args").at("text").str() == "cache server unreachable: connect() timed out";
  }
  CHECK(violation_marker);
  CHECK(complete_instant);
  CHECK(text.find("\"ts\":2000000.000") != std::string::npos);
}

TEST_CASE("Chrome JSON closes unfinished slices at the end of the trace", "[render][chrome]") {
  auto c = deadlock_case();
  RenderInput in{c.trace, &c.violation, "deadlock", "", ""};
  Json doc = parse_json(weft::render::to_chrome_json(in));
  std::size_t unfinished = 0;
  for (const auto& e : doc.at("traceEvents").arr())
    if (e.at("ph").str() == "X" && e.at("args").has("unfinished")) {
      ++unfinished;
      CHECK(e.at("ts").num() + e.at("dur").num() == 350000.0);
    }
  CHECK(unfinished == 4);  // ui: task 1 + block_on; pool-0: task 2 + block_on
}

TEST_CASE("User strings render inert in every format", "[render][escaping]") {
  auto c = lost_exception_case();
  Trace& t = c.trace;
  t.threads[1].name = kScript;
  t.executors[0].name = kScript;
  t.strings[t.records[11].text] = kScript + "\\\" \n\t\x01 & it's done";
  t.threads[0].name = "main\xff\xc3(";  // not UTF-8
  t.sites.push_back({kScript + ".cpp`|", 9});
  t.records[3].site = std::uint32_t(t.sites.size() - 1);
  t.tasks[0].site = t.records[3].site;
  c.violation.message = kScript;
  c.violation.locations.push_back(kScript + "`|:1");
  c.violation.detail = kScript + "\n```\n# not a heading";
  RenderInput in{t, &c.violation, kScript, "weft replay '" + kScript + "' ```", "javascript:alert(1)"};

  SECTION("DOT holds no raw markup, and Graphviz accepts it") {
    std::string dot = weft::render::to_dot(in);
    CHECK(dot.find("<script") == std::string::npos);
    CHECK(dot.find("&lt;script&gt;") != std::string::npos);
    CHECK(dot.find('\x01') == std::string::npos);
    std::string svg, error;
    REQUIRE(weft::render::layout(dot, "svg", svg, error));
    CHECK(error.empty());
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    // The backslash survives both in the node text and in the tooltip.
    CHECK(count(svg, "&lt;/script&gt;\\&quot;") == 4);
  }
  SECTION("JSON escapes and round-trips") {
    std::string json = weft::render::to_chrome_json(in);
    CHECK(json.find("<script") == std::string::npos);
    Json doc;
    REQUIRE_NOTHROW(doc = parse_json(json));
    bool named = false, texted = false, replaced = false;
    for (const auto& e : doc.at("traceEvents").arr()) {
      if (e.at("name").str() == "thread_name" && e.at("args").at("name").str() == kScript) named = true;
      if (e.at("args").has("text") && e.at("args").at("text").str() == kScript + "\\\" \n\t\x01 & it's done") texted = true;
      if (e.at("name").str() == "thread_name" && e.at("args").at("name").str() == "main\xEF\xBF\xBD\xEF\xBF\xBD(") replaced = true;
    }
    CHECK(named);
    CHECK(texted);
    CHECK(replaced);  // invalid UTF-8 becomes U+FFFD, so the JSON stays valid
  }
  SECTION("Markdown escapes prose and fences code") {
    std::string md = weft::render::to_markdown(in);
    CHECK(count_in_markdown_prose(md, "<script") == 0);
    CHECK(md.find("# \"&lt;script&gt;alert(1)&lt;/script&gt;\n") == 0);
    CHECK(md.find("````sh\nweft replay '" + kScript + "' ```\n````\n") != std::string::npos);
    CHECK(md.find("\n```text\n") == std::string::npos);  // a 3-tick fence would end at the ``` inside
    CHECK(md.find("````text\n" + kScript + "\n```\n# not a heading\n````\n") != std::string::npos);
    CHECK(md.find("](javascript") == std::string::npos);  // not linked
    CHECK(md.find("- ``" + kScript + "`|:1``\n") != std::string::npos);
    CHECK(md.find("\\|") != std::string::npos);  // pipes in table cells are escaped
  }
}

TEST_CASE("Markdown links only relative and http(s) targets, percent-encoded", "[render][markdown]") {
  auto c = lost_exception_case();
  RenderInput in{c.trace, &c.violation, "t", "", "out/my schedule (1).svg"};
  CHECK(weft::render::to_markdown(in).find("(out/my%20schedule%20%281%29.svg)") != std::string::npos);
  RenderInput web{c.trace, &c.violation, "t", "", "https://ci.example.com/a.svg?x=1"};
  CHECK(weft::render::to_markdown(web).find("(https://ci.example.com/a.svg?x=1)") != std::string::npos);
}

TEST_CASE("layout() gives the same bytes for the same DOT, whatever the heap looks like", "[render][graphviz]") {
  // Clusters are kept by Graphviz in ID order; with IDs taken from the addresses of the
  // interned names, the order followed the heap. Between the two layouts the heap's free
  // lists are filled with small blocks in address order, so that later small allocations
  // come back in reverse order.
  std::string dot = "digraph g {\n";
  for (int c = 0; c < 12; ++c) {
    dot += "  subgraph cluster_" + std::to_string(c) + " { label=\"lane " + std::to_string(c) + "\";";
    dot += " n" + std::to_string(c) + "a; n" + std::to_string(c) + "b; }\n";
  }
  for (int c = 0; c + 1 < 12; ++c) dot += "  n" + std::to_string(c) + "a -> n" + std::to_string(c + 1) + "b;\n";
  dot += "}\n";
  std::string first, second, error;
  REQUIRE(weft::render::layout(dot, "svg", first, error));
  std::vector<char*> blocks;
  for (int i = 0; i < 256; ++i) blocks.push_back(static_cast<char*>(std::malloc(24 + i % 3 * 8)));
  std::sort(blocks.begin(), blocks.end(), std::less<char*>());
  for (char* b : blocks) std::free(b);
  REQUIRE(weft::render::layout(dot, "svg", second, error));
  CHECK(first == second);
  // And the clusters come out in the order the DOT text gives them.
  std::size_t at = 0;
  for (int c = 0; c < 12; ++c) {
    std::size_t next = first.find("<title>cluster_" + std::to_string(c) + "</title>", at);
    REQUIRE(next != std::string::npos);
    at = next;
  }
}

TEST_CASE("layout() renders SVG and PNG, and reports bad input in one line", "[render][graphviz]") {
  auto c = deadlock_case();
  RenderInput in{c.trace, &c.violation, "deadlock", "", ""};
  std::string dot = weft::render::to_dot(in);
  std::string out, error;
  REQUIRE(weft::render::layout(dot, "svg", out, error));
  CHECK(out.find("<svg") != std::string::npos);
  CHECK(out.find("waits for task 2") != std::string::npos);
  REQUIRE(weft::render::layout(dot, "png", out, error));
  CHECK(out.rfind("\x89PNG", 0) == 0);

  CHECK_FALSE(weft::render::layout("digraph { a -> ", "svg", out, error));
  CHECK_FALSE(error.empty());
  CHECK(error.find('\n') == std::string::npos);
  CHECK_FALSE(weft::render::layout(dot, "pdf", out, error));
  CHECK(error.find("svg or png") != std::string::npos);
}

TEST_CASE("render_file writes by extension and fails in one line", "[render][graphviz]") {
  auto c = lost_exception_case();
  RenderInput in{c.trace, &c.violation, "fire_and_forget", "weft replay fire_and_forget --seed 7", "report.svg"};
  auto dir = std::filesystem::temp_directory_path() / "weft_render_test";
  std::filesystem::create_directories(dir);
  std::string error;
  for (const char* name : {"report.dot", "report.svg", "report.png", "report.json", "report.md"}) {
    auto path = (dir / name).string();
    CHECK(weft::render::render_file(in, path, error));
    CHECK(error.empty());
    CHECK(std::filesystem::file_size(path) > 100);
  }
  CHECK(read_file(dir / "report.md") == weft::render::to_markdown(in));
  CHECK(read_file(dir / "report.svg").find("<svg") != std::string::npos);
  CHECK(weft::render::render_file(in, (dir / "REPORT.DOT").string(), error));

  CHECK_FALSE(weft::render::render_file(in, (dir / "report.pdf").string(), error));
  CHECK(error.find(".dot, .svg, .png, .json, .md, .mmd, .html or .seq.svg") != std::string::npos);
  CHECK_FALSE(weft::render::render_file(in, (dir / "noext").string(), error));
  CHECK_FALSE(weft::render::render_file(in, (dir / "missing" / "x.dot").string(), error));
  CHECK(error.find("cannot write") != std::string::npos);
  CHECK(error.find('\n') == std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Collapsing keeps a 200-record schedule readable", "[render][dot]") {
  Trace t = busy_trace(39);
  REQUIRE(t.records.size() == 201);
  RenderInput in{t, nullptr, "load", "", ""};
  std::string dot = weft::render::to_dot(in);
  std::size_t nodes = dot_node_count(dot);
  CHECK(nodes == 7);  // main: 2 starts, the annotation, 78 spawns; each worker: 40 steps in one node
  CHECK(dot.find("… 78 steps …") != std::string::npos);
  CHECK(count(dot, "… 40 steps …") == 3);
  CHECK(dot.find("start of load") != std::string::npos);  // annotations are never collapsed
  CHECK(count(dot, "label=\"spawn ×13\"") == 3);         // the merged happens-before edges

  // A task named by the violation stays expanded.
  Violation v;
  v.kind = ViolationKind::hang;
  v.message = "task 20 never finishes";
  v.tasks = {20};
  RenderInput hl{t, &v, "load", "", ""};
  hl.full = true;
  std::string dot2 = weft::render::to_dot(hl);
  CHECK(dot_node_count(dot2) == nodes + 2 + 1 + 3 + 1);  // main and pool-1 split around task 20's steps
  CHECK(dot2.find("<b>run task 20</b>") != std::string::npos);
  std::string svg, error;
  CHECK(weft::render::layout(dot2, "svg", svg, error));

  // Focused (the default): task 20's story and one summary node for the rest.
  hl.full = false;
  std::string dot3 = weft::render::to_dot(hl);
  CHECK(dot3.find("task 20</b>") != std::string::npos);  // its last step, red
  CHECK(dot3.find("task 21</b>") == std::string::npos);
  CHECK(dot3.find("other events on") != std::string::npos);
  CHECK(dot_node_count(dot3) < dot_node_count(dot2));
}

TEST_CASE("A focused report shows an injected fault that fired in any task", "[render][markdown]") {
  Trace t = busy_trace(6);
  // Task 4 had a read cut short (fired); task 5 was asked and spared (not fired).
  std::uint32_t step = std::uint32_t(t.records.size());
  add(t, {.time = 6_ms, .step = step++, .thread = 1, .kind = EventKind::fault, .task = 4, .value = 1, .text = "net.short_read"});
  add(t, {.time = 6_ms, .step = step++, .thread = 2, .kind = EventKind::fault, .task = 5, .value = 0, .text = "net.loss"});
  Violation v;
  v.kind = ViolationKind::hang;
  v.message = "task 2 never finishes";
  v.tasks = {2};
  RenderInput in{t, &v, "faults", "", ""};
  std::string md = weft::render::to_markdown(in);
  CHECK(md.find("net.short_read") != std::string::npos);
  CHECK(md.find("net.loss") == std::string::npos);
  CHECK(md.find("task 3") == std::string::npos);  // the rest stays left out
}

TEST_CASE("Renderers survive an empty trace", "[render]") {
  Trace t;
  RenderInput in{t, nullptr, "", "", ""};
  std::string out, error;
  CHECK(weft::render::layout(weft::render::to_dot(in), "svg", out, error));
  CHECK_NOTHROW(parse_json(weft::render::to_chrome_json(in)));
  CHECK(weft::render::to_markdown(in).rfind("# weft report\n", 0) == 0);
}

TEST_CASE("Mermaid sequence of a deadlock matches the approved baseline", "[render][mermaid]") {
  auto c = deadlock_case();
  RenderInput in{c.trace, &c.violation, "ui_block_on_deadlock (seed 42)", "", ""};
  std::string mmd = weft::render::to_mermaid(in);
  check_approved("deadlock.mmd", mmd);
  CHECK(mmd.rfind("sequenceDiagram\n", 0) == 0);
  CHECK(count(mmd, "rect rgb(255, 205, 205)") >= 4);  // the culprit in red
  CHECK(mmd.find("-xA") != std::string::npos);         // red arrows of the cycle
}

TEST_CASE("Sequence SVG, Mermaid and HTML keep user strings inert", "[render][escaping]") {
  auto c = lost_exception_case();
  Trace& t = c.trace;
  t.threads[1].name = kScript;
  t.strings[t.records[11].text] = kScript + " ; %% #x {y} `z`";
  c.violation.message = kScript;
  c.violation.detail = kScript + "\nsecond line";
  RenderInput in{t, &c.violation, kScript, "weft replay '" + kScript + "'", ""};
  std::string svg = weft::render::to_sequence_svg(in);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("class=\"culprit\"") != std::string::npos);
  std::string mmd = weft::render::to_mermaid(in);
  CHECK(mmd.find("<script") == std::string::npos);
  CHECK(mmd.find(" ; ") == std::string::npos);  // ';' would end a Mermaid statement
  CHECK(mmd.find("#59;") != std::string::npos);
  CHECK(mmd.find("%% #x") == std::string::npos);
  std::string html = weft::render::to_html(in, "");
  CHECK(html.find("<script") == std::string::npos);
  CHECK(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 3);  // title, heading, violation
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("second line") != std::string::npos);
  // A laid-out graph goes in without its XML prolog.
  std::string dot_svg, error;
  REQUIRE(weft::render::layout(weft::render::to_dot(in), "svg", dot_svg, error));
  std::string page = weft::render::to_html(in, dot_svg);
  CHECK(page.find("<?xml") == std::string::npos);
  CHECK(page.find("<svg") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
}

TEST_CASE("Source paths are relative in every output", "[render][paths]") {
  using weft::render::relative_path;
  CHECK(relative_path("scenarios/src/a.cpp") == "scenarios/src/a.cpp");
  CHECK(relative_path("../scenarios/src/a.cpp") == "scenarios/src/a.cpp");
  CHECK(relative_path("./a.cpp") == "a.cpp");
  ::unsetenv("WEFT_SOURCE_ROOT");
  CHECK(relative_path("/srv/checkout/proj/src/orders.cpp") == "src/orders.cpp");
  ::setenv("WEFT_SOURCE_ROOT", "/srv/checkout/proj/", 1);
  CHECK(relative_path("/srv/checkout/proj/app/src/orders.cpp") == "app/src/orders.cpp");
  CHECK(relative_path("/srv/checkout/project2/x/y.cpp") == "x/y.cpp");  // not under the root
  ::unsetenv("WEFT_SOURCE_ROOT");

  auto c = lost_exception_case();
  for (auto& s : c.trace.sites)
    if (!s.file.empty()) s.file = "/abs/machine/dir/" + s.file;
  c.violation.locations = {"/abs/machine/dir/app/jobs.cpp:7"};
  c.violation.message = "lost exception spawned at /abs/machine/dir/app/jobs.cpp:7: boom";
  RenderInput raw{c.trace, &c.violation, "t", "", ""};
  // Renderers never print an absolute path, even from a trace that has them...
  for (const std::string& out : {weft::render::to_dot(raw), weft::render::to_markdown(raw), weft::render::to_mermaid(raw),
                                 weft::render::to_sequence_svg(raw), weft::render::to_chrome_json(raw)})
    CHECK(out.find("/abs/machine") == std::string::npos);
  // ...and make_paths_relative cleans the trace and the violation for everything else.
  weft::render::make_paths_relative(c.trace, &c.violation);
  for (const auto& s : c.trace.sites) CHECK((s.file.empty() || s.file.front() != '/'));
  CHECK(c.violation.locations.front() == "app/jobs.cpp:7");
  CHECK(c.violation.message == "lost exception spawned at app/jobs.cpp:7: boom");
}

TEST_CASE("Focus: repeated blocks collapse, the rest is one summary node", "[render][dot]") {
  // A detached task does three identical timer round trips on a pool thread, then faults;
  // another task does unrelated work meanwhile.
  Trace t;
  t.threads = {{"main", 0}, {"app-0", 1}, {"timer", 0}};
  t.executors = {{1, "app"}};
  add_task(t, 0, "app/feed.cpp", 10, 1, true);
  add_task(t, 0, "app/other.cpp", 20, 1);
  std::uint32_t step = 0;
  add(t, {0, step++, 0, EventKind::spawn, 1, 0, 1, 1, "app/feed.cpp", 10});
  add(t, {0, step++, 0, EventKind::spawn, 2, 0, 1, 0, "app/other.cpp", 20});
  Nanos now = 0;
  for (int i = 0; i < 3; ++i) {
    add(t, {now, step++, 1, EventKind::resume, 1});
    add(t, {now, step++, 1, EventKind::timer_arm, 1, 0, 0, now + 50'000'000, "app/feed.cpp", 12});
    add(t, {now, step++, 1, EventKind::suspend, 1});
    for (int k = 0; k < 5; ++k) add(t, {now, step++, 0, EventKind::user, 2, 0, 0, 0, nullptr, 0, "unrelated"});
    now += 50'000'000;
    add(t, {now, step++, 2, EventKind::timer_fire, 1, 0, 0, now});
  }
  add(t, {now, step++, 1, EventKind::resume, 1});
  std::uint32_t faulted = add(t, {now, step++, 1, EventKind::complete, 1, 0, 0, 0, nullptr, 0, "bad quote"});
  std::uint32_t dropped = add(t, {now, step++, 1, EventKind::exception_dropped, 1, 0, 0, 1, "app/feed.cpp", 10, "bad quote"});
  Violation v;
  v.kind = ViolationKind::lost_exception;
  v.message = "lost-exception: lost exception in detached task 1";
  v.tasks = {1};
  v.threads = {1};
  v.records = {dropped, faulted};
  RenderInput in{t, &v, "feed", "", ""};
  std::string dot = weft::render::to_dot(in);
  CHECK(dot.find("×3 repeated") != std::string::npos);
  CHECK(dot.find("unrelated") == std::string::npos);
  CHECK(dot.find("16 other events on 1 other task") != std::string::npos);
  CHECK(dot.find("lost-exception: lost-exception") == std::string::npos);  // the kind once
  CHECK(dot.find("its exception is lost") != std::string::npos);            // spawn -> drop, red
  CHECK(count(dot, "fillcolor=\"#ffd0d0\"") == 3);  // spawn, faulted, dropped: red singles them out
  in.full = true;
  CHECK(weft::render::to_dot(in).find("unrelated") != std::string::npos);
}

TEST_CASE("Chrome JSON links happens-before with flow events", "[render][chrome]") {
  auto c = deadlock_case();
  RenderInput in{c.trace, &c.violation, "t", "", ""};
  std::string json = weft::render::to_chrome_json(in);
  Json doc = parse_json(json);
  std::map<std::int64_t, int> starts, ends;
  std::set<std::string> names;
  for (const auto& e : doc.at("traceEvents").arr()) {
    std::string ph = e.at("ph").str();
    if (ph == "s") ++starts[std::int64_t(e.at("id").num())], names.insert(e.at("name").str());
    if (ph == "f") ++ends[std::int64_t(e.at("id").num())];
  }
  CHECK(!starts.empty());
  CHECK(starts == ends);  // every flow starts once and ends once
  CHECK(names.count("spawn"));
  CHECK(names.count("resume"));
}

TEST_CASE("The minimal pair is in the report, the HTML and the picture", "[render][pair]") {
  auto c = deadlock_case();
  weft::render::MinimalPair pair;
  pair.decision = 3;
  pair.failing = "ui runs first";
  pair.passing = "pool-0 runs first";
  pair.sentence = "if pool-0 runs at step 3 instead of ui, the deadlock disappears";
  pair.passing_token = "w1.abc";
  RenderInput in{c.trace, &c.violation, "t", "", ""};
  in.pair = &pair;
  CHECK(weft::render::to_markdown(in).find("## The minimal pair\n\n- if pool-0 runs at step 3") != std::string::npos);
  CHECK(weft::render::to_markdown(in).find("`weft replay w1.abc`") != std::string::npos);
  CHECK(weft::render::to_html(in, "").find("the deadlock disappears") != std::string::npos);
  CHECK(weft::render::to_dot(in).find("minimal pair: if pool-0 runs") != std::string::npos);
  pair.found = false;
  pair.tried = 12;
  CHECK(weft::render::to_markdown(in).find("No schedule one decision away passes (12 tried)") != std::string::npos);
  CHECK(weft::render::to_dot(in).find("minimal pair") == std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Names: a real program on the simulator with named tasks and sync objects, one of each named
// hostilely, rendered in every format.

namespace names_case {

// Two handlers take two locks in opposite orders (a mutex cycle); one holds a permit of the
// "db" semaphore meanwhile, so the semaphore is in the story too.
Task<void> handler(Mutex* first, Mutex* second, Semaphore* db) {
  co_await db->acquire();
  auto g1 = co_await first->lock();
  co_await sleep_for(1_ms);
  auto g2 = co_await second->lock();
  db->release();
}

struct Run {
  Trace trace;
  Violation violation;
};

Run run(const std::string& second_mutex, const std::string& second_task) {
  weft::sim::SimPlatform sp;
  weft::sim::RandomSource rs(7);
  auto r = sp.run([&] {
    ThreadPool pool(2, "app");
    Mutex cache{"cache"};
    Mutex other{second_mutex};
    Semaphore db{2, "db"};
    auto a = spawn(pool, handler(&cache, &other, &db), "load_profile");
    auto b = spawn(pool, handler(&other, &cache, &db), second_task);
    a.join();
    b.join();
  }, rs);
  Run out;
  out.trace = sp.trace();
  for (auto& v : weft::properties::check_all(out.trace, r))
    if (v.kind == ViolationKind::deadlock) {
      out.violation = v;
      break;
    }
  return out;
}

}  // namespace names_case

TEST_CASE("Every view names tasks and objects by their names", "[render][names]") {
  auto c = names_case::run("sessions", "save_session");
  REQUIRE(c.violation.kind == ViolationKind::deadlock);
  // The property's own words are not the renderers' business here: only what the views say.
  c.violation.message = "mutex cycle";
  c.violation.detail.clear();
  RenderInput in{c.trace, &c.violation, "names", "", ""};
  const std::string dot = weft::render::to_dot(in);
  const std::string mmd = weft::render::to_mermaid(in);
  const std::string md = weft::render::to_markdown(in);
  const std::string seq = weft::render::to_sequence_svg(in);
  const std::string html = weft::render::to_html(in, "");
  const std::string json = weft::render::to_chrome_json(in);
  for (const std::string* out : {&dot, &mmd, &md, &seq, &html, &json}) {
    INFO(*out);
    CHECK(out->find("load_profile") != std::string::npos);
    CHECK(out->find("save_session") != std::string::npos);
    CHECK(out->find("task 1") == std::string::npos);  // never the number when there is a name
    CHECK(out->find("channel") == std::string::npos);  // no object is taken for a channel
  }
  // Objects: kind and name, in each format's quoting.
  CHECK(dot.find("wait for mutex &quot;sessions&quot;") != std::string::npos);
  CHECK(dot.find("lock mutex &quot;cache&quot;") != std::string::npos);  // who holds it is drawn
  CHECK(mmd.find("mutex #quot;cache#quot;") != std::string::npos);
  CHECK(md.find("| mutex | cache | `tests/render/render_test.cpp:") != std::string::npos);  // declaration site
  CHECK(md.find("| semaphore | db |") != std::string::npos);
  CHECK(md.find("acquire semaphore \"db\"") != std::string::npos);
  CHECK(html.find("semaphore &quot;db&quot;") != std::string::npos);
  Json doc = parse_json(json);
  bool named_instant = false;
  for (const auto& e : doc.at("traceEvents").arr())
    if (e.at("ph").str() == "i" && e.at("args").has("object_name"))
      named_instant = named_instant || (e.at("name").str() == "wait for mutex \"sessions\"" &&
                                        e.at("args").at("object_name").str() == "mutex \"sessions\"" &&
                                        e.at("args").at("kind").str() == "mutex_wait");
  CHECK(named_instant);
}

TEST_CASE("Task and object names are escaped in every format", "[render][names][escaping]") {
  const std::string hostile = kScript + "\n'x' `y` | *z* ; %% #w {v}";
  auto c = names_case::run(hostile, hostile);
  REQUIRE(c.violation.kind == ViolationKind::deadlock);
  c.violation.message = "mutex cycle";  // the views' escaping of names, not of the message
  c.violation.detail.clear();
  RenderInput in{c.trace, &c.violation, "names", "", ""};
  const std::string dot = weft::render::to_dot(in);
  CHECK(dot.find("<script") == std::string::npos);
  CHECK(dot.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  std::string svg, error;
  REQUIRE(weft::render::layout(dot, "svg", svg, error));  // Graphviz accepts the labels
  CHECK(svg.find("<script") == std::string::npos);
  const std::string mmd = weft::render::to_mermaid(in);
  CHECK(mmd.find("<script") == std::string::npos);
  CHECK(mmd.find(" ; ") == std::string::npos);
  CHECK(mmd.find("#lt;script#gt;") != std::string::npos);
  // The newline in the name does not break a statement: every line after the header is one
  // indented statement.
  std::istringstream statements(mmd);
  std::string line;
  std::getline(statements, line);
  while (std::getline(statements, line)) CHECK(line.rfind("  ", 0) == 0);
  const std::string md = weft::render::to_markdown(in);
  CHECK(count_in_markdown_prose(md, "<script") == 0);
  CHECK(count_in_markdown_prose(md, "&lt;script&gt;") > 0);
  CHECK(md.find("\n'x'") == std::string::npos);
  CHECK(md.find(" \\| ") != std::string::npos);  // a pipe in a name does not split a table cell
  for (const std::string& out : {weft::render::to_sequence_svg(in), weft::render::to_html(in, svg)}) {
    CHECK(out.find("<script") == std::string::npos);
    CHECK(out.find("&lt;script&gt;") != std::string::npos);
  }
  const std::string json = weft::render::to_chrome_json(in);
  CHECK(json.find("<script") == std::string::npos);
  Json doc;
  REQUIRE_NOTHROW(doc = parse_json(json));
  bool round_trip = false;
  for (const auto& e : doc.at("traceEvents").arr())
    if (e.at("args").is_obj() && e.at("args").has("object_name"))
      round_trip = round_trip || e.at("args").at("object_name").str() == "mutex \"" + hostile + "\"";
  CHECK(round_trip);
}

TEST_CASE("Objects without a name: kind and declaration site, never another kind", "[render][names]") {
  // A hand-made trace: a semaphore known only from its object_create record (no name), one
  // known only from what was done to it, and a waitable whose kind nothing tells.
  Trace t;
  t.threads = {{"main", 0}};
  add_task(t, 0, "app/a.cpp", 3, 0);
  std::uint32_t site = t.intern_site("app/pool.cpp", 12);
  t.objects.push_back({5, ObjectKind::semaphore, "", site});
  add(t, {.kind = EventKind::spawn, .task = 1, .file = "app/a.cpp", .line = 3, .text = "fill"});
  add(t, {.kind = EventKind::object_create, .object = 5, .value = std::int64_t(ObjectKind::semaphore), .file = "app/pool.cpp", .line = 12});
  add(t, {.step = 1, .kind = EventKind::sem_wait, .task = 1, .object = 5});
  add(t, {.step = 2, .kind = EventKind::sem_release, .task = 1, .object = 6, .value = 1});
  add(t, {.step = 3, .kind = EventKind::channel_wait, .task = 1, .object = 7});
  Violation v;
  v.kind = ViolationKind::hang;
  v.message = "hang";
  v.tasks = {1};
  v.records = {2};
  RenderInput in{t, &v, "t", "", ""};
  in.full = true;
  const std::string md = weft::render::to_markdown(in);
  CHECK(md.find("wait for semaphore at pool.cpp:12") != std::string::npos);
  CHECK(md.find("release semaphore #6") != std::string::npos);
  CHECK(md.find("wait on object #7") != std::string::npos);
  CHECK(md.find("channel") == std::string::npos);
  CHECK(md.find("fill") != std::string::npos);  // the task's name, from the spawn record
}

TEST_CASE("Pictures shorten coroutine names: no template arguments, no anonymous namespaces", "[render][names]") {
  auto c = deadlock_case();
  Trace& t = c.trace;
  // As the runtime names a lambda inside a function template (cut inside its argument list).
  t.records[5].text = t.intern_text("lambda in weft::spawn_blocking<app::{anonymous}::query_orders");
  t.records[8].text = t.intern_text("app::(anonymous namespace)::Cache<int, std::less<int>>::refresh");
  RenderInput in{t, &c.violation, "t", "", ""};
  const std::string mmd = weft::render::to_mermaid(in);
  CHECK(mmd.find("participant A1 as lambda in weft::spawn_blocking\n") != std::string::npos);
  CHECK(mmd.find("as app::Cache::refresh\n") != std::string::npos);
  CHECK(mmd.find("anonymous") == std::string::npos);
  // The Tasks table keeps the full names.
  CHECK(weft::render::to_markdown(in).find("app::(anonymous namespace)::Cache&lt;int, std::less&lt;int&gt;&gt;::refresh") !=
        std::string::npos);
}

// Node ids an edge of `dot` names that no node statement declares (Graphviz would draw each
// as a bare box with the id for its label).
std::set<std::string> undeclared_endpoints(const std::string& dot) {
  std::set<std::string> declared, used;
  std::istringstream in(dot);
  for (std::string line; std::getline(in, line);) {
    auto p = line.find_first_not_of(' ');
    if (p == std::string::npos) continue;
    auto arrow = line.find(" -> ", p);
    auto bracket = line.find(" [", p);
    if (arrow != std::string::npos && (bracket == std::string::npos || arrow < bracket)) {
      used.insert(line.substr(p, arrow - p));
      auto to = arrow + 4;
      used.insert(line.substr(to, line.find_first_of(" ;", to) - to));
    } else if (bracket != std::string::npos) {
      declared.insert(line.substr(p, bracket - p));
    }
  }
  std::set<std::string> out;
  for (const auto& u : used)
    if (!declared.count(u)) out.insert(u);
  return out;
}

TEST_CASE("Lanes drawn once for twins never leave an edge pointing at nothing", "[render][dot]") {
  // Three workers do the same: run a task that blocks in I/O (red), finish it, run one more
  // short task (a routine run at the lane's end). main waits for every task: the completions
  // of the twin lanes reach main along "done" edges.
  Trace t;
  t.threads = {{"main", 0}, {"pool-0", 1}, {"pool-1", 1}, {"pool-2", 1}};
  t.executors = {{1, "pool"}};
  std::uint32_t step = 0;
  std::vector<std::uint32_t> red;
  for (TaskId id = 1; id <= 6; ++id) {
    add_task(t, 0, "app/w.cpp", 5, 1);
    add(t, {.step = step++, .thread = 0, .kind = EventKind::spawn, .task = id, .object = 1, .file = "app/w.cpp", .line = 5});
  }
  for (std::uint16_t w = 1; w <= 3; ++w) {
    TaskId a = w, b = TaskId(w + 3);
    add(t, {.step = step++, .thread = w, .kind = EventKind::resume, .task = a, .object = 1});
    red.push_back(add(t, {.step = step++, .thread = w, .kind = EventKind::blocking_begin, .task = a, .value = 2_s, .file = "app/w.cpp", .line = 9}));
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::blocking_end, .task = a, .value = 2_s, .file = "app/w.cpp", .line = 9});
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::complete, .task = a});
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::suspend, .task = a, .object = 1});
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::resume, .task = b, .object = 1});
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::complete, .task = b});
    add(t, {.time = 2_s, .step = step++, .thread = w, .kind = EventKind::suspend, .task = b, .object = 1});
  }
  for (TaskId id = 1; id <= 6; ++id) add(t, {.time = 2_s, .step = step++, .thread = 0, .kind = EventKind::wake, .other = id});
  Violation v;
  v.kind = ViolationKind::starvation;
  v.message = "starvation: all 3 threads of pool were in blocking work";
  v.threads = {1, 2, 3};
  v.tasks = {1, 2, 3, 4, 5, 6};
  v.records = red;
  RenderInput in{t, &v, "twins", "", ""};
  const std::string dot = weft::render::to_dot(in);
  INFO(dot);
  CHECK(dot.find("2 more doing the same") != std::string::npos);  // the twins were merged
  CHECK(undeclared_endpoints(dot).empty());
  std::string svg, error;
  REQUIRE(weft::render::layout(dot, "svg", svg, error));
}

namespace shared_case {
// A lost update on a weft::Shared counter: each handler reads, sleeps, writes.
Task<void> bump(Shared<int>* hits) {
  int seen = hits->load();
  co_await sleep_for(1_ms);
  hits->store(seen + 1);
}

struct Run {
  Trace trace;
  Violation v;
  bool found = false;  // the invariant failed (both read 0 before either wrote)
};
// Two handlers bump "hits" on two workers; main checks the count, reading it with a record
// (`main_reads`) or without one (unobserved).
Run lost_update(bool main_reads) {
  weft::sim::SimPlatform sp;
  weft::sim::RandomSource rs(3);
  auto r = sp.run([&] {
    ThreadPool pool(2, "app");
    Shared<int> hits{0, "hits"};
    auto a = spawn(pool, bump(&hits), "first");
    auto b = spawn(pool, bump(&hits), "second");
    a.join();
    b.join();
    weft::invariant("hits counted twice", (main_reads ? hits.load() : hits.unobserved()) == 2);
  }, rs);
  Run out{sp.trace(), {}, false};
  for (auto& x : weft::properties::check_all(out.trace, r))
    if (x.kind == ViolationKind::invariant) out.v = x, out.found = true;
  return out;
}
}  // namespace shared_case

// The invariant reads the counter without a record (unobserved), on the main thread: the
// story's tasks are what main waited for, and the reads of the other handler are not among
// them -- unless the focus keeps the accesses of the variable both handlers use.
TEST_CASE("An invariant's focused story shows every handler's read and write of a racy variable", "[render][shared]") {
  auto [trace, v, found] = shared_case::lost_update(false);
  REQUIRE(found);
  RenderInput in{trace, &v, "shared", "", ""};
  const std::string md = weft::render::to_markdown(in);
  std::size_t from = md.find("## Interleaving"), to = md.find("## Sequence");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  const std::string table = md.substr(from, to - from);
  INFO(table);
  std::vector<std::size_t> reads, writes;
  for (std::size_t p = table.find("read variable"); p != std::string::npos; p = table.find("read variable", p + 1))
    reads.push_back(p);
  for (std::size_t p = table.find("write variable"); p != std::string::npos; p = table.find("write variable", p + 1))
    writes.push_back(p);
  REQUIRE(reads.size() == 2);
  REQUIRE(writes.size() == 2);
  CHECK(reads[1] < writes[0]);  // both read before either wrote: the lost update, at a glance
}

namespace pool_case {
// A connection pool lends its one idle connection twice: each borrower checks "idle", awaits
// a health check (a spawned task), then takes it. Three borrowers on three workers: enough
// steps that a picture of the whole would outgrow its budget and fold the routine ones.
Task<void> check() { co_return; }
Task<void> borrow(ThreadPool* pool, Shared<int>* idle, int* in_use) {
  if (idle->load() <= 0) co_return;
  co_await spawn(*pool, check());
  idle->store(idle->load() - 1);
  ++*in_use;
  weft::invariant("one borrower per connection", *in_use <= 1);
  co_await spawn(*pool, check());
  --*in_use;
  idle->store(idle->load() + 1);
}
}  // namespace pool_case

// The accesses that make an invariant's story (the first borrower read "idle", the second
// read and wrote it, the first wrote it again) are drawn each on its own in the schedule
// graph, not folded into a grey "access x3" run when the picture is over its node budget.
TEST_CASE("A focused schedule graph draws an invariant's racing accesses one by one", "[render][shared]") {
  Trace trace;
  Violation v;
  bool found = false;
  for (std::uint64_t seed = 0; seed < 500 && !found; ++seed) {
    weft::sim::SimPlatform sp;
    weft::sim::RandomSource rs(seed);
    auto r = sp.run([&] {
      ThreadPool pool(3, "workers");
      Shared<int> idle{1, "idle"};
      int in_use = 0;
      std::vector<JoinHandle<void>> hs;
      for (int i = 0; i < 3; ++i) hs.push_back(spawn(pool, pool_case::borrow(&pool, &idle, &in_use), "borrow"));
      for (auto& h : hs) h.join();
    }, rs);
    trace = sp.trace();
    for (auto& x : weft::properties::check_all(trace, r))
      if (x.kind == ViolationKind::invariant) v = x, found = true;
  }
  REQUIRE(found);
  std::size_t failed = trace.records.size();
  for (std::size_t i = 0; i < trace.records.size() && failed == trace.records.size(); ++i)
    if (trace.records[i].kind == EventKind::invariant_failed) failed = i;
  REQUIRE(failed < trace.records.size());
  std::vector<std::size_t> accesses;  // up to the violation: the story
  for (std::size_t i = 0; i < failed; ++i)
    if (trace.records[i].kind == EventKind::access) accesses.push_back(i);
  REQUIRE(accesses.size() >= 4);  // two reads before a write, and the write after them
  RenderInput in{trace, &v, "pool", "", ""};
  const std::string dot = weft::render::to_dot(in);
  INFO(dot);
  CHECK(dot.find("steps …") != std::string::npos);  // over budget: routine steps are folded
  for (std::size_t k = accesses.size() > 8 ? accesses.size() - 8 : 0; k < accesses.size(); ++k) {
    CAPTURE(accesses[k]);
    CHECK(dot.find("  r" + std::to_string(accesses[k]) + " [") != std::string::npos);  // a node of its own
  }
  CHECK(dot.find("access ×") == std::string::npos);
  // Where the first borrower's second read got its value: the other borrower's write, an
  // edge between the two lanes (and an arrow in the sequence).
  CHECK(dot.find("label=\"read by\"") != std::string::npos);
  CHECK(weft::render::to_mermaid(in).find(": read by") != std::string::npos);
  // The picture and the report count what the focus leaves out alike; the picture's own
  // folding (routine steps after a lane's story) is counted apart, not as "other tasks".
  const std::string md = weft::render::to_markdown(in);
  // A borrower shown only for its accesses gave way by awaiting its health check (a join)
  // or by finishing, never by a preemption: the switch column says so although those
  // records are not rows of the table.
  {
    INFO(md);
    CHECK(md.find("| preempted |") == std::string::npos);
    CHECK(md.find(" waits |") != std::string::npos);
  }
  const std::size_t at = md.find(" other events on ");
  REQUIRE(at != std::string::npos);
  const std::size_t from = md.rfind(' ', at - 1) + 1;
  const std::string summary = md.substr(from, md.find(" are left out", at) - from);
  CHECK(dot.find("<i>" + summary + ", and ") != std::string::npos);
}

TEST_CASE("Every view shows Shared variables' reads and writes, named", "[render][names][shared]") {
  auto [trace, v, found] = shared_case::lost_update(true);
  REQUIRE(found);  // both read 0 before either wrote: the sleeps overlap on two workers
  RenderInput in{trace, &v, "shared", "", ""};
  const std::string dot = weft::render::to_dot(in);
  const std::string mmd = weft::render::to_mermaid(in);
  const std::string md = weft::render::to_markdown(in);
  const std::string seq = weft::render::to_sequence_svg(in);
  const std::string html = weft::render::to_html(in, "");
  const std::string json = weft::render::to_chrome_json(in);
  for (const std::string* out : {&dot, &mmd, &md, &seq, &html, &json}) {
    INFO(*out);
    CHECK(out->find("hits") != std::string::npos);
  }
  CHECK(md.find("| variable | hits | `tests/render/render_test.cpp:") != std::string::npos);
  CHECK(md.find("write variable \"hits\"") != std::string::npos);
  CHECK(md.find("read variable \"hits\"") != std::string::npos);
  Json doc = parse_json(json);
  bool access_instant = false;
  for (const auto& e : doc.at("traceEvents").arr())
    if (e.at("ph").str() == "i" && e.at("args").has("kind"))
      access_instant = access_instant || e.at("args").at("kind").str() == "access";
  CHECK(access_instant);
}
