// sync-over-async — a click handler on the UI thread calls an async method and blocks on
// it (`.Result`, `block_on`). The async method's continuation is captured to the UI
// context, so it is queued behind the very thread that waits for it. Bites desktop apps
// and old ASP.NET (a single-threaded synchronisation context): the app freezes on first
// click, every time. Verdict: the bug is a deadlock with the wait-for cycle
// ui thread -> block_on(load_profile) -> continuation queued on "ui" -> ui thread.
// The fix awaits all the way up: the handler is a coroutine that co_awaits the call, the
// UI thread stays free, and the checker finds nothing.
#include "support/options.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

struct Profile {
  std::string name;
};

// The view model's async API: a request to the profile service, resumed on the caller's
// context (the default, like .NET's captured SynchronizationContext).
Task<Profile> load_profile(std::uint32_t user) {
  co_await sleep_for(40_ms);
  co_return Profile{"user-" + std::to_string(user)};
}

Task<void> on_click_blocking(std::uint32_t user) {
  Profile p = block_on(load_profile(user));  // .Result in a click handler
  annotate("rendered " + p.name);
  co_return;
}

Task<void> on_click_awaiting(std::uint32_t user) {
  Profile p = co_await load_profile(user);
  annotate("rendered " + p.name);
}

template <class Handler>
void run_ui(Handler handler) {
  SerialExecutor ui("ui");
  auto click = spawn(ui, handler(7));
  sim::settle();
}

const Register reg{Scenario{
    "sync-over-async",
    ViolationKind::deadlock,
    "a UI handler blocks on an async call whose continuation is captured back to the UI thread",
    [] { run_ui(on_click_blocking); },
    [] { run_ui(on_click_awaiting); },
    explore_options("sync-over-async", 60_s),
    1,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
