# The two commands of the README, and a few more for developers.
#   make run   — install what is missing, build, start ejournald with the demo school on 127.0.0.1:8080
#   make test  — install what is missing, build, run every test
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_ARGS ?=
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps configure build run test test-asan bench clean

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

bench: build
	$(BUILD)/bin/ej-bench append --events 1000000 --threads 16
	$(BUILD)/bin/ej-bench read --events 1000000

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
