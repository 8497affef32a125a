#!/usr/bin/env bash
# The project's tidy gate, one check a line of output:
#  - determinism: nothing in sim/, model/, properties/ or scenarios/ reads the wall clock,
#    std::random_device, std::rand or the std::uniform_* distributions, or sleeps for real
#    (the explorer's time budget takes its clock from the caller);
#  - no absolute path of a build machine in anything committed (pictures, baselines, docs);
#  - no stray notes files beside the code;
#  - the hash and PRNG constants (FNV-1a's primes and bases, splitmix64's increment and
#    multipliers) appear only in trace/weft/detail/hash.hpp and runtime/weft/detail/random.hpp: one definition
#    of every hash and generator, used by all targets, tests and fuzzers;
#  - README.md's library graph is the one the CMakeLists declare (tests/tools/libgraph.py);
#  - the version is written once, in CMakeLists.txt's project() (code reads weft/version.hpp);
#  - trace events are made in one place: product code names TraceEvent only as a const
#    reference (what Platform::emit and the recorder take) and builds every event with the
#    builders of trace/weft/trace/emit.hpp (trace::event::spawn(...), ...), never by hand;
#  - function-length ratchet: the number of product-code functions over 80 lines
#    (tests/tools/funclen.py) never grows past tests/tools/funclen_baseline; when it falls,
#    the gate says so, and the baseline is lowered with the change that shortened them.
cd "$(dirname "$0")/../.."
passed=0
failed=0
check() {  # check NAME OUTPUT: empty output passes
  if [ -n "$2" ]; then
    echo "FAIL: $1:"
    echo "$2" | head -20
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

# weft::check's wall-clock watchdog (a real sleep, on its own thread, no decision) lives in
# tools/check/, outside the deterministic trees checked here.
check "nondeterminism in deterministic code" "$(grep -rnE 'random_device|system_clock::now|steady_clock::now|high_resolution_clock::now|std::rand\(|[^_a-z]rand\(\)|uniform_int_distribution|uniform_real_distribution|this_thread::sleep|time\(nullptr\)|gettimeofday|clock_gettime' \
  sim model properties scenarios --include='*.cpp' --include='*.hpp')"

# Tracked files only (git ls-files) when this is a checkout; else every file.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files)
else
  files=$(find . -type f -not -path './build*' | sed 's|^\./||')
fi
# Outputs the tool wrote and docs: pictures, reports, baselines, schedules (test sources may
# hold such paths as data for the path-relativising code).
check "absolute build-machine paths in committed files" "$(echo "$files" | grep -E '\.(svg|dot|json|md|txt|mmd|html|weft)$' |
  xargs -r grep -lE '(/work/|/root/|/home/[a-z_]+/)' 2>/dev/null)"
check "stray notes files" "$(echo "$files" | grep -iE '(^|/)[^/]*notes[^/]*\.txt$')"
check "version literal outside CMakeLists.txt" "$(grep -rnE '"[0-9]+\.[0-9]+\.[0-9]+"' runtime sim properties model scenarios tools \
  --include='*.cpp' --include='*.hpp' | grep -vE 'weft-version: |/\*|//' )"

# A TraceEvent object, temporary, pointer or mutable reference outside its definition and the
# builders: "TraceEvent e{...}", "TraceEvent{...}", "TraceEvent& e", "std::vector<TraceEvent>".
check "TraceEvent built by hand outside trace/weft/trace/emit.hpp (use trace::event::<kind>(...))" "$(grep -rnwE 'TraceEvent' \
  runtime sim model properties scenarios tools bench asio trace examples \
  --include='*.cpp' --include='*.hpp' --include='*.h' 2>/dev/null |
  grep -vE '^(trace/weft/trace/emit\.hpp|trace/weft/trace/event\.hpp):' | grep -vE '^[^:]+:[0-9]+:\s*//' |
  sed -E 's/const (weft::)?TraceEvent ?&//g' | grep -wE 'TraceEvent')"

# Any spelling case, with or without 0x/suffix: the FNV-1a primes (64 and 32 bit), the 64-bit
# bases and splitmix64's constants. tests/runtime/hash_test.cpp checks the headers against
# published vectors, so it writes some of these values on purpose.
check "hash/PRNG constants outside trace/weft/detail/hash.hpp, runtime/weft/detail/random.hpp" "$(grep -rniE \
  '100000001b3|1099511628211|cbf29ce484222325|14695981039346656037|1469598103934665603|16777619|0x01000193|2166136261|9e3779b97f4a7c15|bf58476d1ce4e5b9|94d049bb133111eb' \
  trace runtime sim model properties scenarios tools bench tests asio examples \
  --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.c' --include='*.py' 2>/dev/null |
  grep -vE '^(trace/weft/detail/hash\.hpp|runtime/weft/detail/random\.hpp|tests/runtime/hash_test\.cpp):')"

# ctest gets each Catch2 case by name through catch_discover_tests, and a ';' cuts the name in
# CMake: the cut filter matches no case, Catch runs nothing and reports a pass.
check "a TEST_CASE name with ';' (ctest would silently run nothing for it)" "$(grep -rnE 'TEST_CASE\("[^"]*;' \
  tests bench --include='*.cpp' 2>/dev/null)"

if ! command -v python3 >/dev/null; then
  echo "FAIL: the function-length ratchet needs python3 (tools/run.sh test installs it)"
  exit 1
fi
check "README.md library graph differs from the CMakeLists (python3 tests/tools/libgraph.py prints it)" \
  "$(python3 tests/tools/libgraph.py --check)"
long_fns=$(python3 tests/tools/funclen.py runtime sim model properties scenarios tools asio)
long_count=$(echo "$long_fns" | sed -n 's/^count: //p')
baseline=$(cat tests/tools/funclen_baseline)
if [ "$long_count" -gt "$baseline" ]; then
  check "functions over 80 lines: $long_count, more than the baseline $baseline" "$(echo "$long_fns" | grep -v '^count: ')"
else
  check "functions over 80 lines" ""
  if [ "$long_count" -lt "$baseline" ]; then
    echo "note: $long_count functions over 80 lines, below the baseline $baseline: lower tests/tools/funclen_baseline"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
