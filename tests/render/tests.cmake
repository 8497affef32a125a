weft_add_test(render_test SOURCES render/render_test.cpp DEPS weft::render weft::sim)
target_compile_definitions(render_test PRIVATE WEFT_RENDER_APPROVED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/render/approved")

# The reports in a real browser (headless Chromium): label `browser`, run by tools/run.sh test.
add_executable(hostile_report ${CMAKE_CURRENT_SOURCE_DIR}/tools/browser/hostile_report.cpp)
target_link_libraries(hostile_report PRIVATE weft::model weft::sim weft::runtime)
weft_target_options(hostile_report)
add_test(NAME browser_reports COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tools/browser_test.sh ${PROJECT_BINARY_DIR})
set_tests_properties(browser_reports PROPERTIES LABELS browser TIMEOUT 300)
