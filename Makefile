# Short commands for people; CMake does the building (CMakeLists.txt).
#   make sim TEST=conv3x3 [CONFIG=fsd|tiny] [SEED=n] [WAVES=1] [ARGS="--max-cycles 1000000"]
#   make sim TEST=tiny_net CONFIG=tiny   a whole network (vectors/networks/NAME.yaml, no vectors/NAME.yaml)
#   make sim ONNX=MODEL.onnx [INPUT="FILE ..."] [CALIBRATE=DIR] [EXPECT=FILE] [CONFIG=tiny]   an ONNX model (one
#        node, or a float graph such as build/onnx-models/blazeface.onnx, which make deps fetches) compiled and run by
#        nna_sim --onnx (as nnac --onnx compiles it) in build/runs/CONFIG/onnx-NAME (a float one quantized), docs/onnx.md
#   make test            every unit test, co-simulation and negative test (CTest)
#   make regress-layers [CONFIG=tiny] [COUNT=100] [FIRST_SEED=1]   random layers, in parallel, JUnit report
#   make regress-simd [CONFIG=tiny] [COUNT=100] [FIRST_SEED=1]     random SIMD programs (TEST=random_simd), same report
#   make nightly [CONFIG=fsd] [RANDOM=50] [NIGHTLY_TIMEOUT=7200]   every network and RANDOM random layers, in parallel,
#                        JUnit, summary table and per-layer utilization plots in build/nightly-<config>
#   make bench-sim [CONFIG=fsd] [NETWORKS=resnet50]   build time from nothing and cycles/s of every named test
#                        and the networks, one run at a time: build/bench-sim-<config>/summary.md
#   make figure8 [JOBS=n]   utilization against the MAC array's height and width (ResNet-50, Inception-v4
#                        at 299 and at 540x960) from the compiler and the performance model: build/figure8
#   make mutants [MUTANTS=a,b]   RTL mutants (tools/mutants/mutants.yaml) against the tiny tests: kill table
#                        in build/mutants/report.md and junit.xml (docs/mutants.md)
#   make xseeds [SEEDS=1,2,3] [CONFIG=tiny]   every planned co-simulation under each seed of Verilator's random
#                        initial values: build/xseeds-<config>
#   make fuzz [FUZZ_TIME=240 | FUZZ_COUNT=n] [FUZZ_SEED=1]   seeded mutations of test and network YAML, bundles,
#                        programs and command lines; readers built with the sanitizers in build/asan
#   make wave TEST=...   open the test's waveform in GTKWave with the checked-in layout
#   make coverage [JOBS=n] [COV_EXCLUDE=regex]   RTL line, branch and toggle coverage and the
#                        functional coverage bins of the tiny tests, on a coverage build in build-cov:
#                        build-cov/coverage/ (docs/coverage.md); COV_EXCLUDE leaves CTest runs out
#   make onnx-conformance   every ONNX node test of the accelerator's operators run, tools/onnx/conformance.tsv
#                        and docs/onnx.md's conformance table rewritten from the run (commit both)
#   make lint | synth | docs | format | clean | deps (Debian packages and the ONNX reference runtime)
TEST   ?= conv3x3
CONFIG ?= fsd
SEED   ?=
WAVES  ?=
ARGS   ?=
COUNT  ?= 100
FIRST_SEED ?= 1
TIMEOUT ?= 900
RANDOM ?= 50
NIGHTLY_TIMEOUT ?= 7200
NETWORKS ?= resnet50
MUTANTS ?=
BUILD  ?= build
COV_BUILD ?= build-cov
COV_EXCLUDE ?=
JOBS   ?= $(shell nproc)
SEEDS  ?= 1,2,3
FUZZ_TIME  ?= 240
FUZZ_COUNT ?=
FUZZ_SEED  ?= 1
FUZZ_BUILD ?= $(BUILD)/asan

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
RUN_DIR     := $(BUILD)/runs/$(CONFIG)/$(TEST)
# A name with a network description and no test description is a network: the lowered program.
TEST_KIND   := $(if $(and $(wildcard vectors/networks/$(TEST).yaml),$(if $(wildcard vectors/$(TEST).yaml),,1)),--network,--test)
SIM_ARGS    := $(TEST_KIND) $(TEST) --config $(CONFIG) --out $(RUN_DIR) $(if $(SEED),--seed $(SEED)) \
               $(if $(WAVES),--waves) $(ARGS)

.PHONY: deps configure build sim test regress-layers regress-simd nightly xseeds fuzz bench-sim coverage \
        mutants wave lint synth docs format clean figure8 onnx-conformance

# Debian packages (root or sudo when some are missing), then onnxruntime-node from npm into
# $(BUILD)/ort (the ONNX reference runtime, docs/onnx.md; no root) and the BlazeFace model into $(BUILD)/onnx-models.
deps:
	@tools/deps.sh
	@tools/onnx/install_ort.sh $(BUILD)/ort
	@tools/onnx/fetch_blazeface.sh $(BUILD)/onnx-models

$(BUILD)/build.ninja:
	@tools/deps.sh
	@tools/onnx/install_ort.sh $(BUILD)/ort
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# The simulator, and the tools the README's other commands use (nnac, nna_perf).
# ONNX=MODEL: the simulator compiles the model itself (nna_sim --onnx, the same front end as nnac
# --onnx) into the run folder (model.onnx is named by its folder, as a node test) and runs it with the
# full scoreboard; EXPECT=FILE (default: a node test's output_0.pb beside INPUT) is compared with its output.
ONNX_NAME   := $(if $(filter model.onnx,$(notdir $(ONNX))),$(notdir $(patsubst %/,%,$(dir $(ONNX)))),$(basename $(notdir $(ONNX))))
ONNX_RUN    := $(BUILD)/runs/$(CONFIG)/onnx-$(ONNX_NAME)
sim: deps configure
ifeq ($(ONNX),)
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_$(CONFIG) nnac nna_perf_cli
	$(BUILD)/tb/nna_sim_$(CONFIG) $(SIM_ARGS)
else
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_$(CONFIG) nnac
	$(BUILD)/tb/nna_sim_$(CONFIG) --onnx $(ONNX) $(addprefix --input ,$(INPUT)) \
	  $(if $(CALIBRATE),--calibrate $(CALIBRATE)) $(if $(EXPECT),--expect $(EXPECT)) --out $(ONNX_RUN) \
	  $(if $(WAVES),--waves) $(ARGS)
endif

test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 1800

# The ONNX conformance table: every node test of the survey through nnac, the golden model, the tiny
# RTL and onnxruntime (tools/onnx/conformance.py), written to tools/onnx/conformance.tsv (what
# ctest's onnx.conformance_* then require) and to docs/onnx.md's table; run logs in $(BUILD)/onnx-conformance.
onnx-conformance: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nnac nna_sim_tiny nna_onnx_cli
	python3 tools/onnx/conformance.py --nnac $(BUILD)/compiler/nnac --sim $(BUILD)/tb/nna_sim_tiny \
	  --ort $(BUILD)/ort --nna-onnx $(BUILD)/tools/onnx/nna_onnx --out $(BUILD)/onnx-conformance \
	  --jobs $(JOBS) --update --docs docs/onnx.md
	cmake $(BUILD) > /dev/null

# Random layers (TEST=random) or random legal SIMD programs on random layers (TEST=random_simd),
# one per seed, on every core; report in $(BUILD)/regress/<layers|simd>-$(CONFIG).
regress-layers: REGRESS_TEST := random
regress-simd:   REGRESS_TEST := random_simd
regress-layers regress-simd: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_$(CONFIG)
	python3 tools/regress/regress.py --name $@ --test $(REGRESS_TEST) --config $(CONFIG) \
	  --sim $(BUILD)/tb/nna_sim_$(CONFIG) --count $(COUNT) --first-seed $(FIRST_SEED) --jobs $(JOBS) \
	  --timeout $(TIMEOUT) --out $(BUILD)/regress/$(@:regress-%=%)-$(CONFIG) --sim-args="--max-perf-error 2"

# Every network of vectors/networks with the full scoreboard, and random layers (docs/regression.md,
# "Nightly"); not part of `make test`.
nightly: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_$(CONFIG)
	python3 tools/regress/nightly.py --sim $(BUILD)/tb/nna_sim_$(CONFIG) --config $(CONFIG) --vectors vectors \
	  --random $(RANDOM) --jobs $(JOBS) --timeout $(NIGHTLY_TIMEOUT) --out $(BUILD)/nightly-$(CONFIG)

# The planned co-simulations under several seeds of the random initial values (docs/regression.md,
# "Reset and X"); on tiny unless CONFIG is given.
xseeds: XCONFIG := $(if $(filter command line,$(origin CONFIG)),$(CONFIG),tiny)
xseeds: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_$(XCONFIG)
	python3 tools/regress/xseeds.py --sim $(BUILD)/tb/nna_sim_$(XCONFIG) --config $(XCONFIG) --seeds $(SEEDS) \
	  --jobs $(JOBS) --timeout $(TIMEOUT) --out $(BUILD)/xseeds-$(XCONFIG)

# Seeded fuzzing of the readers and of programs on the RTL (docs/regression.md, "Fuzzing"); nnac and
# nna_perf also built with AddressSanitizer and UBSan in $(FUZZ_BUILD).
fuzz: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nna_sim_tiny nnac nna_perf_cli
	cmake -S . -B $(FUZZ_BUILD) $(CMAKE_FLAGS) -DNNA_CONFIGS=tiny -DNNA_MUTANTS=OFF \
	  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target nnac nna_perf_cli
	python3 tools/fuzz/fuzz.py --build $(BUILD) --asan-build $(FUZZ_BUILD) --seed $(FUZZ_SEED) \
	  $(if $(FUZZ_COUNT),--count $(FUZZ_COUNT),--time $(FUZZ_TIME)) --out $(BUILD)/fuzz

# Build time and simulation speed (docs/performance.md, "Simulation speed"); a benchmark, not a test.
bench-sim: deps
	python3 tools/regress/bench_sim.py --config $(CONFIG) --networks $(NETWORKS) --jobs $(JOBS) \
	  --out $(BUILD)/bench-sim-$(CONFIG)

figure8: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target nna_sweep
	python3 tools/nna_perf/figure8.py --tool $(BUILD)/tools/nna_perf/nna_sweep --out $(BUILD)/figure8 --jobs $(JOBS)

# The tiny simulator with Verilator coverage in a build directory of its own, every tiny
# co-simulation test on it, then the merged reports (docs/coverage.md); not part of `make test`.
coverage: deps
	cmake -S . -B $(COV_BUILD) $(CMAKE_FLAGS) -DNNA_CONFIGS=tiny -DNNA_COVERAGE=ON -DNNA_MUTANTS=OFF
	cmake --build $(COV_BUILD) -j $(JOBS) --target nna_sim_tiny
	python3 tools/coverage/coverage.py --build $(COV_BUILD) --jobs $(JOBS) $(if $(COV_EXCLUDE),--exclude '$(COV_EXCLUDE)')

# Every mutant (or MUTANTS=a,b) built into a tiny simulator and run against the tiny co-simulation
# tests until one fails (docs/mutants.md); not part of `make test`, which keeps a few.
mutants: deps configure
	python3 tools/mutants/mutants.py run --build $(BUILD) $(if $(MUTANTS),--mutants $(MUTANTS))

wave: deps configure
	@if [ ! -f $(RUN_DIR)/waves.fst ]; then $(MAKE) --no-print-directory sim WAVES=1; fi
	gtkwave $(RUN_DIR)/waves.fst tb/nna.gtkw

lint: deps configure
	cmake --build $(BUILD) --target lint

synth: deps configure
	cmake --build $(BUILD) --target synth

# Refresh the generated pages in docs/ (a test fails while they differ from the generator's output).
docs: deps configure
	cmake --build $(BUILD) --target nnagen   # re-runs the configure-time generator if spec/ changed
	cp $(BUILD)/gen/docs/isa.md $(BUILD)/gen/docs/registers.md $(BUILD)/gen/docs/configs.md docs/

# Rewrite the C++ in the house format (.clang-format); CTest style.cpp_format fails until it is.
format: deps
	python3 tools/check_cpp_format.py --fix

clean:
	rm -rf $(BUILD) $(COV_BUILD)
