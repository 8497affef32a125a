#include <cstdio>
#include <weft/http/http.hpp>
#include <weft/properties/property.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

int main() {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  auto r = sp.run([] {
    ThreadPool pool(2);
    spawn(pool, []() -> Task<void> { co_await sleep_for(1_s); }()).join();
  }, rs);
  bool ok = r.outcome == sim::Outcome::completed && r.end_time == 1_s;
  ok = ok && properties::check_all(sp.trace(), r).empty();
  ok = ok && http::reason_phrase(404) == "Not Found";
  // The package config makes this project's source sites relative to its root.
  bool relative = false;
  for (const auto& s : sp.trace().sites)
    if (s.file.size() >= 8 && s.file.compare(s.file.size() - 8, 8, "main.cpp") == 0) relative = s.file == "main.cpp";
  if (!relative) std::printf("the spawn site in main.cpp is missing or not relative\n");
  ok = ok && relative;
  std::printf("%s\n", ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
  return ok ? 0 : 1;
}
