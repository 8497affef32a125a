#include <cstdio>
#include <weft/render/render.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

int main() {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  sp.run([] {
    ThreadPool pool(2);
    spawn(pool, []() -> Task<void> { co_await sleep_for(1_ms); }()).join();
  }, rs);
  render::RenderInput in{sp.trace(), nullptr, "consumer", "", "consumer.svg"};
  std::string svg, error;
  bool ok = render::layout(render::to_dot(in), "svg", svg, error) && svg.find("<svg") != std::string::npos;
  std::printf("%s\n", ok ? "1 passed, 0 failed" : ("0 passed, 1 failed: " + error).c_str());
  return ok ? 0 : 1;
}
