# EJ_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
# It is meant for a separate build directory (make test-asan). Optimisation stays at -O1: at -O2 a Beast
# translation unit takes about six minutes under UBSan on this machine (docs/architecture.md §7).

option(EJ_SANITIZE "Build with ASan and UBSan" OFF)

if(EJ_SANITIZE)
  set(ej_san_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${ej_san_flags} -O1)
  add_link_options(${ej_san_flags})
endif()
