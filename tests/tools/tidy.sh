#!/usr/bin/env bash
# Determinism tidy check: nothing in sim/, model/, properties/ or scenarios/ may read the
# wall clock, std::random_device, std::rand or the std::uniform_* distributions, or sleep
# for real. (The explorer's time budget takes its clock from the caller.)
cd "$(dirname "$0")/../.."
# model/src/watchdog.cpp is weft::check's wall-clock watchdog: it watches the explorer
# thread from outside (waits, one 100 ms look) and never feeds a decision.
bad=$(grep -rnE 'random_device|system_clock::now|steady_clock::now|high_resolution_clock::now|std::rand\(|[^_a-z]rand\(\)|uniform_int_distribution|uniform_real_distribution|this_thread::sleep|time\(nullptr\)|gettimeofday|clock_gettime' \
  sim model properties scenarios --include='*.cpp' --include='*.hpp' | grep -v '^model/src/watchdog.cpp:')
if [ -n "$bad" ]; then
  echo "nondeterminism in deterministic code:"
  echo "$bad"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
