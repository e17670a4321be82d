# EJ_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# It is meant for a separate build directory (make test-asan). Optimisation stays at -O1: at -O2 a Beast
# translation unit takes about six minutes under UBSan on this machine (docs/architecture.md §7).

option(EJ_SANITIZE "Build with ASan and UBSan" OFF)

if(EJ_SANITIZE)
  set(ej_san_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${ej_san_flags} -O1)
  add_link_options(${ej_san_flags})
endif()

# EJ_FUZZ=ON (clang only) builds the libFuzzer targets of tests/fuzz, with everything they reach instrumented
# for coverage and checked by ASan and UBSan (make fuzz).
option(EJ_FUZZ "Build the libFuzzer targets (clang) with ASan and UBSan" OFF)
if(EJ_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EJ_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++-14)")
  endif()
  set(ej_fuzz_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${ej_fuzz_flags} -fsanitize=fuzzer-no-link -O1 -g)
  add_link_options(${ej_fuzz_flags})
endif()
