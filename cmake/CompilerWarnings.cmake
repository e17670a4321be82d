# Warning flags for ejournal's own targets (never for generated or third-party code).
# Every flag says why it is here; EJ_WARNINGS_AS_ERRORS turns them into errors (CI sets it).

# Not used: -Wnull-dereference — it fires inside inlined FlatBuffers accessors at -O2 (false positives that
# SYSTEM includes cannot silence, since the warning is reported where the code is inlined).

add_library(ejournal_warnings INTERFACE)
add_library(ejournal::warnings ALIAS ejournal_warnings)

option(EJ_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

target_compile_options(ejournal_warnings INTERFACE
  -Wall                 # the common set
  -Wextra               # plus unused parameters, sign compares and friends
  -Wpedantic            # no GNU extensions by accident
  -Wshadow              # a local hiding a member or an outer local is a classic bug
  -Wnon-virtual-dtor    # a polymorphic class must be destroyable through its base
  -Woverloaded-virtual  # an overload hiding a virtual is usually a typo
  -Wold-style-cast      # casts must say which kind they are
  -Wcast-align          # alignment-increasing casts break on some targets
  -Wformat=2            # printf-style format checks, including non-literal formats
  -Wimplicit-fallthrough # a switch case that falls through must say so
  -Wmisleading-indentation
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond>  # if (a) … else if (a) (GCC only; clang builds the fuzz targets)
  $<$<CXX_COMPILER_ID:GNU>:-Wlogical-op>       # suspicious uses of && and || (GCC only)
)
if(EJ_WARNINGS_AS_ERRORS)
  target_compile_options(ejournal_warnings INTERFACE -Werror)
endif()
