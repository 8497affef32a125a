// WEFT_ASSERT's failure path: one line naming the invariant, no build-machine path, abort.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <weft/assert.hpp>

TEST_CASE("a broken internal invariant is one line and an abort", "[assert]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(fds[1], 2);
    std::signal(SIGABRT, SIG_DFL);  // not the test framework's handler
    weft::detail::assertion_failed("e->armed", "an armed entry is in the heap", "/build/machine/weft/runtime/src/timer.cpp",
                                   42);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, std::size_t(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(out ==
        "weft: internal invariant broken at src/timer.cpp:42: e->armed (an armed entry is in the heap); this is a bug "
        "in weft\n");
}
