weft_add_test(render_test SOURCES render/render_test.cpp DEPS weft::render)
target_compile_definitions(render_test PRIVATE WEFT_RENDER_APPROVED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/render/approved")
