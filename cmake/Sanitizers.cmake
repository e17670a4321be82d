# EJ_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# It is meant for a separate build directory (make test-asan). Optimisation stays at -O1: at -O2 a Beast
# translation unit takes about six minutes under UBSan on this machine (docs/architecture.md §7).
# With EJ_FUZZ as well, the flags are EJ_FUZZ's (these plus coverage for the fuzzer), so that one clang build
# could serve both the tests and the libFuzzer targets.

option(EJ_SANITIZE "Build with ASan and UBSan" OFF)

if(EJ_SANITIZE AND NOT EJ_FUZZ)
  set(ej_san_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${ej_san_flags} -O1)
  add_link_options(${ej_san_flags})
endif()

# EJ_TSAN=ON builds everything with ThreadSanitizer (make test-tsan: the log, projection-host and server
# tests). Debian's librocksdb, GLib, fontconfig and pango are not instrumented: what TSan reports through them
# is decided one mechanism at a time in tests/sanitizers/tsan.supp, each entry with the reason it is safe.
option(EJ_TSAN "Build with ThreadSanitizer" OFF)
if(EJ_TSAN)
  # -Wno-tsan: GCC warns that TSan does not model the std::atomic_thread_fence Asio's handler recycling uses;
  # a report that followed from it would show up under net.cc and be decided in tsan.supp like any other.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -O1 -Wno-tsan)
  add_link_options(-fsanitize=thread)
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
