weft_add_test(properties_test
  SOURCES properties/deadlock_test.cpp properties/starvation_test.cpp properties/lost_exception_test.cpp
    properties/hang_test.cpp properties/cancellation_test.cpp properties/misuse_test.cpp properties/invariant_test.cpp
    properties/check_all_test.cpp properties/shutdown_test.cpp properties/index_test.cpp
  DEPS weft::properties weft::sim weft::model)
# The approved files are found from the source tree, whatever path __FILE__ carries (a compiler
# cache may rewrite it relative to the build directory).
target_compile_definitions(properties_test PRIVATE WEFT_PROPERTIES_APPROVED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/properties/approved/")
