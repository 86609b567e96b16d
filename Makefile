# The two commands a new user needs: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Tests run two at a time (tests/CMakeLists.txt says which run alone).
TEST_JOBS ?= 2
LISTEN ?= 127.0.0.1:8080
METRICS_LISTEN ?= 127.0.0.1:9464
DATA_DIR ?= var
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DFLOE_WERROR=ON
endif

.PHONY: deps build bench-tools run test test-asan fuzz format format-check bench-api bench-media bench-audio bench-jobs bench-soak bench-hostile bench-cluster bench-record clean
FUZZ_SECONDS ?= 60

deps:
	@scripts/install-deps.sh

# -O2 with line tables only (-g1): backtraces name files and lines, and the build takes about
# a quarter less time than with full debug information (-g), which make test's budget needs.
build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The benchmarks' own tools (bench/CMakeLists.txt), built only for them.
bench-tools: build
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target floe_bench_tools

run: build
	@scripts/run.sh $(BUILD_DIR)/floe $(LISTEN) $(DATA_DIR) $(METRICS_LISTEN)

test: build format-check
	@cd $(BUILD_DIR) && ctest -j $(TEST_JOBS) --output-on-failure --timeout 600
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5

# Every test but those labelled no-sanitizer (tests/CMakeLists.txt) again against an
# AddressSanitizer + UBSan build (its own build tree). -O1 -g1
# (line tables, enough for sanitizer stack traces) builds about 2.5x faster than -O2 -g here.
test-asan: deps
	@cmake -S . -B build-asan -DFLOE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS) --target floe floe_unit_tests floe_audio_encode
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		FLOE_AUDIO_LONG_S=30 ctest -j $(TEST_JOBS) --output-on-failure --timeout 600 --label-exclude no-sanitizer

# The libFuzzer targets of fuzz/ (Debian's clang, ASan + UBSan), each run FUZZ_SECONDS.
fuzz: deps
	@CXX=clang++ cmake -S . -B build-fuzz -DFLOE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target floe_fuzzers
	@scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files --cached --others --exclude-standard '*.cc' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files --cached --others --exclude-standard '*.cc' '*.h')

bench-api: bench-tools
	@rm -f $(BUILD_DIR)/bench-api.summary
	@SUMMARY=$(BUILD_DIR)/bench-api.summary bench/api/run.sh $(BUILD_DIR)
	@SUMMARY=$(BUILD_DIR)/bench-api.summary STORE=postgres NODES=1 bench/api/run.sh $(BUILD_DIR)
	@SUMMARY=$(BUILD_DIR)/bench-api.summary STORE=postgres NODES=2 bench/api/run.sh $(BUILD_DIR)
	@bench/api/side-by-side.sh $(BUILD_DIR)/bench-api.summary

bench-cluster: bench-tools
	@bench/cluster/run.sh $(BUILD_DIR)

bench-media: bench-tools
	@bench/media/run.sh $(BUILD_DIR)
	@bench/media/narrowband.sh $(BUILD_DIR)
	@bench/media/latency.sh $(BUILD_DIR)

# Floe's AAC encoders against libfdk-aac: LSD, core SNR, CPU, issue 22's targets (not in make test).
bench-audio: build
	@scripts/install-deps.sh --bench-audio
	@bench/audio/run.sh $(BUILD_DIR)

# floe record against the ffmpeg CLI's copy into the same containers: CPU per second of media.
bench-record: build
	@bench/record/run.sh $(BUILD_DIR)
	@node bench/jobs/families.js $(BUILD_DIR)

bench-jobs: bench-tools
	@node bench/jobs/capacity.js $(BUILD_DIR)
	@node bench/jobs/ladders.js $(BUILD_DIR)

# 30 minutes of jobs starting and stopping under API load; the server's RSS and fds (not in make test).
bench-soak: build
	@node bench/soak/soak.js $(BUILD_DIR)

# 10 minutes of hostile API traffic; the server's RSS, fds, /metrics size and store size (not in make test).
bench-hostile: build
	@node bench/soak/hostile.js $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
