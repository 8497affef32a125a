# model tests (included by tests/CMakeLists.txt when weft::model exists)
weft_add_test(model_test SOURCES model/schedule_test.cpp model/explorer_test.cpp model/replay_test.cpp model/shrink_test.cpp
  model/rapidcheck_test.cpp model/readme_example_test.cpp model/check_test.cpp model/pair_test.cpp model/happens_before_test.cpp
  model/pos_test.cpp model/surw_test.cpp model/pct_test.cpp model/portfolio_test.cpp
  model/dpor_test.cpp model/decisions_pin_test.cpp model/nondeterminism_test.cpp model/overflow_test.cpp model/jitter_test.cpp model/replay_proof_test.cpp model/finding_file_test.cpp
  DEPS weft::model LABELS fast)
weft_add_test(model_heavy_test SOURCES model/strategies_heavy_test.cpp model/shrink_heavy_test.cpp
  DEPS weft::model LABELS heavy)
# The simulator's heap of an execution (sim/src/heap.cpp), measured through the explorer.
weft_add_test(heap_test SOURCES sim/heap_test.cpp DEPS weft::model LABELS fast)
