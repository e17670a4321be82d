# The two commands of the README, and a few more for developers.
#   make run   — install what is missing, build, start ejournald with the demo school on 127.0.0.1:8080
#   make test  — install what is missing, build, run every test
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= 2
CMAKE_ARGS ?=
LISTEN     ?= 127.0.0.1:8080

# ccache keys on paths relative to the checkout and not on the build directory, so that a clone elsewhere
# (CI's, a second work tree) reuses what this one compiled: without these every clone missed every file.
export CCACHE_BASEDIR   ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1

.PHONY: all deps configure build run test test-asan test-tsan fuzz fuzz-build fuzz-seeds bench clean

all: build

deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/ejournald --data ./data --demo --listen $(LISTEN) --web-root web

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The tests again under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build directory.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEJ_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The threaded tests under ThreadSanitizer (GCC): the log's, the projection host's and the server's, with the
# committed suppressions (tests/sanitizers/tsan.supp); tools/run-tsan.sh says which and why.
TSAN_TESTS = log_tests projection_tests server_tests
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEJ_TSAN=ON $(CMAKE_ARGS)
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TESTS)
	tools/run-tsan.sh $(TSAN_BUILD)

# libFuzzer targets (clang, ASan + UBSan), each run for FUZZ_SECONDS from tests/fuzz/corpus; what they find
# is left in $(FUZZ_BUILD)/findings.
fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DEJ_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

fuzz: fuzz-build
	tools/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Writes the seed corpora again (after a format or protocol change); commit what changes.
fuzz-seeds: fuzz-build
	$(FUZZ_BUILD)/bin/fuzz_seeds tests/fuzz/corpus

bench: build
	$(BUILD)/bin/ej-bench append --events 1000000 --threads 16
	$(BUILD)/bin/ej-bench read --events 1000000

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
