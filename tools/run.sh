#!/usr/bin/env bash
# One entry point for people and CI: installs what is missing (Debian bookworm, as root),
# configures, builds, then runs one of:
#   catalogue  the main job: every scenario explored, a table, reports and pictures in out/
#   test       the whole test suite: fast set, heavy set, then the runtime under TSan and ASan
#   bench      the simulator's and the runtime's benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-catalogue}"
shift || true

packages=(cmake ninja-build g++ pkg-config catch2 librapidcheck-dev libgraphviz-dev graphviz
          libboost-context-dev libasio-dev libbenchmark-dev)
# The test suite also fuzzes the parsers with libFuzzer, which needs clang.
[ "$what" = test ] && packages+=(clang-16 libclang-rt-16-dev chromium python3)  # chromium: the browser test of the reports
[ "$what" = test ] && packages+=(slurm-wlm munge)  # slurm_campaign: a one-node Slurm cluster runs the campaign recipe
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "weft: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Graphviz finds its layout plugins only once its config has been written.
if ! echo 'digraph{a}' | dot -Tsvg >/dev/null 2>&1; then dot -c; fi

jobs=$(nproc)
configure() {  # dir, extra cmake args (a later -DCMAKE_BUILD_TYPE wins)
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
}

case "$what" in
  catalogue)
    configure build
    cmake --build build --target weft -j "$jobs"
    ./build/tools/weft catalogue --out out "$@"
    ;;
  test)
    stages=0  # each stage below either passes or stops the script (set -e)
    passed() { stages=$((stages + 1)); echo "weft: stage $stages passed at ${SECONDS} s"; }
    # A user's plain Release build (g++ -O3) runs the whole suite: the fast set, then the heavy set.
    configure build-release -DCMAKE_BUILD_TYPE=Release
    cmake --build build-release -j "$jobs"
    ctest --test-dir build-release -L fast --output-on-failure -j "$jobs" --timeout 600
    passed
    ctest --test-dir build-release -LE fast --output-on-failure -j "$jobs" --timeout 1200
    passed
    # A Debug build (-O0, assertions on) builds everything and runs the fast set.
    configure build-debug -DCMAKE_BUILD_TYPE=Debug
    cmake --build build-debug -j "$jobs"
    ctest --test-dir build-debug -L fast --output-on-failure -j "$jobs" --timeout 900
    passed
    # The runtime's real threads under the sanitizers (stress test under TSan).
    configure build-tsan -DWEFT_SANITIZE=thread -DWEFT_BUILD_TOOLS=OFF
    cmake --build build-tsan --target runtime_test runtime_stress_test runtime_cancel_stress_test io_test asio_test -j "$jobs"
    WEFT_STRESS_TASKS=1000000 ./build-tsan/tests/runtime_stress_test
    passed
    # 10^6 sleeps cancelled at random times against the timer thread, and channel receives
    # cancelled while values arrive: each wait ends exactly once, nothing touched after.
    WEFT_STRESS_SLEEPS=1000000 ./build-tsan/tests/runtime_cancel_stress_test
    passed
    ./build-tsan/tests/runtime_test "~[deadlock]"
    passed
    # Event loops, the reactor and the http service on real sockets (a client that pipelines
    # thousands of requests, name resolution, shutdown at exit).
    ./build-tsan/tests/io_test
    passed
    # weft::asio for real: io_contexts run by the callers of run() (one or several threads),
    # pools, strands, timers, sockets.
    ./build-tsan/tests/asio_test
    passed
    # ASan+UBSan with clang: g++ does not turn symmetric transfer into tail calls under
    # ASan, so deep await chains would overflow the stack there.
    # It builds every target (tools, benchmarks, every test): the clang-16 -Werror build of
    # everything beside g++'s above.
    CXX=clang++-16 configure build-asan-clang -DWEFT_SANITIZE=address
    cmake --build build-asan-clang -j "$jobs"
    # Leak checking is off: a deadlocked execution is abandoned with its frames on purpose.
    ASAN_OPTIONS=detect_leaks=0 ./build-asan-clang/tests/runtime_test "~[deadlock]"
    passed
    ASAN_OPTIONS=detect_leaks=0 WEFT_STRESS_SLEEPS=1000000 ./build-asan-clang/tests/runtime_cancel_stress_test
    passed
    ASAN_OPTIONS=detect_leaks=0 ./build-asan-clang/tests/sim_test
    passed
    ASAN_OPTIONS=detect_leaks=0 ./build-asan-clang/tests/properties_test
    passed
    # libFuzzer on the schedule parser and the HTTP parser, briefly: nothing may crash.
    CXX=clang++-16 configure build-fuzz -DWEFT_FUZZERS=ON -DWEFT_BUILD_TESTS=OFF -DWEFT_BUILD_TOOLS=OFF \
      -DWEFT_BUILD_BENCHMARKS=OFF
    cmake --build build-fuzz --target schedule_fuzz http_fuzz -j "$jobs"
    mkdir -p build-fuzz/corpus/schedule build-fuzz/corpus/http
    ./build-fuzz/tools/fuzz/schedule_fuzz -max_total_time=30 -print_final_stats=1 build-fuzz/corpus/schedule 2>&1 | tail -4
    passed
    ./build-fuzz/tools/fuzz/http_fuzz -max_total_time=30 -print_final_stats=1 build-fuzz/corpus/http 2>&1 | tail -4
    passed
    echo "weft: all test stages passed"
    echo "stages: $stages passed, 0 failed"
    ;;
  bench)
    configure build
    cmake --build build --target weft weft_runtime_bench -j "$jobs"
    ./build/tools/weft bench "$@"
    ./build/tools/bench/weft_runtime_bench --benchmark_min_time=0.2
    ;;
  *)
    echo "usage: tools/run.sh catalogue|test|bench" >&2
    exit 2
    ;;
esac
