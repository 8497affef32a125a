#include <cstdio>
#include <string>
#include <weft/trace/result.hpp>
#include <weft/trace/trace.hpp>
#include <weft/trace/waits.hpp>

// A reader of traces links weft::trace only: no runtime, no simulator, no threads.
int main() {
  weft::trace::Trace t;
  t.threads.push_back({"main", 0, 0});
  t.tasks.push_back({1, 0, t.intern_site("main.cpp", 3), 0, 1, false, "only"});
  t.records.push_back({0, 0, 0, weft::EventKind::spawn, 1, 0, 0, 0, 1, t.intern_text("only")});
  t.records.push_back({0, 1, 0, weft::EventKind::join_wait, 0, 1, 0, 0, 0, 0});
  weft::trace::WaitGraph g(t);
  g.apply_all();
  weft::trace::Trace copy = t;
  bool ok = copy.hash() == t.hash() && g.deadlocked().empty() && t.dump().find(" spawn task=1 ") != std::string::npos &&
            std::string(to_string(weft::trace::Outcome::deadlock)) == "deadlock";
  std::printf("%s\n", ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
  return ok ? 0 : 1;
}
