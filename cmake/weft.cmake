# Helpers shared by weft's own targets: warnings as errors on our code only, sanitizers.
get_filename_component(WEFT_ROOT_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(WEFT_ROOT_DIR "${WEFT_ROOT_DIR}" CACHE INTERNAL "weft's source root")
function(weft_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-mismatched-new-delete>
    # g++ 12 at -O2/-O3 reports false -Wrestrict inside libstdc++'s std::string code
    # (GCC bug 105329): kept as a warning there, an error everywhere else.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>)
  # Source sites (std::source_location, __FILE__) relative to weft's root, wherever the tree
  # is checked out: reports, pictures and traces never carry the build machine's directories,
  # and a site reads "scenarios/src/x.cpp", not just its last two components.
  target_compile_options(${target} PRIVATE "-fmacro-prefix-map=${WEFT_ROOT_DIR}/=")
  # WEFT_ASSERT (weft/assert.hpp) checks weft's own invariants in Debug and sanitizer builds.
  if(WEFT_SANITIZE)
    target_compile_definitions(${target} PRIVATE WEFT_ASSERTIONS=1)
  else()
    target_compile_definitions(${target} PRIVATE $<$<CONFIG:Debug>:WEFT_ASSERTIONS=1>)
  endif()
  # Symmetric transfer becomes a tail call only with sibling-call optimisation (g++ 12).
  target_compile_options(${target} PUBLIC $<$<CXX_COMPILER_ID:GNU>:-foptimize-sibling-calls>)
  if(WEFT_SANITIZE STREQUAL "address")
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
      $<$<CXX_COMPILER_ID:GNU>:-fno-sanitize-address-use-after-scope>)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  elseif(WEFT_SANITIZE STREQUAL "thread")
    target_compile_options(${target} PUBLIC -fsanitize=thread
      $<$<CXX_COMPILER_ID:GNU>:--param=tsan-instrument-func-entry-exit=0>)
    target_link_options(${target} PUBLIC -fsanitize=thread)
  endif()
endfunction()

