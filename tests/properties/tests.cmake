weft_add_test(properties_test
  SOURCES properties/deadlock_test.cpp properties/starvation_test.cpp properties/lost_exception_test.cpp
    properties/hang_test.cpp properties/cancellation_test.cpp properties/misuse_test.cpp properties/invariant_test.cpp
    properties/check_all_test.cpp
  DEPS weft::properties)
