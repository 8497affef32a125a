# Included by tests/CMakeLists.txt when weft::scenarios exists. weft_scenarios is an OBJECT
# library, so linking it here brings every scenario's registration into the test binary.
weft_add_test(scenarios_catalogue_test SOURCES scenarios/catalogue_test.cpp scenarios/pair_test.cpp scenarios/triggers_test.cpp DEPS weft::scenarios LABELS fast)
weft_add_test(scenarios_catalogue_heavy_test SOURCES scenarios/catalogue_heavy_test.cpp DEPS weft::scenarios LABELS heavy)
