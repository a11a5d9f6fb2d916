// nna_sim_<config>: co-simulates one test, or a list of them launched in turn (--test a,b,c
// --repeat N), on the Verilated RTL against the golden model.
// Order as in Verilator's SystemC example: arguments, trace enable, construction and binding
// (Setup), zero-time start, trace open and run (Run), verdict (Finish).
// Exit code: 0 pass, 1 mismatch or error status, 2 bad input, 3 timeout.
#include <sys/resource.h>
#include <systemc.h>
#include <unistd.h>
#include <verilated.h>
#if VM_COVERAGE
#include <verilated_cov.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tb/front_door.h"
#include "tb/options.h"
#include "tb/tb_config.h"
#include "tb/testbench.h"
#include "util/clip_text.h"

// SystemC prints its banner before sc_main runs; the verdict should be the whole output.
static const bool kNoBanner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1) == 0;

// The Verilated 96x96 design evaluates very wide expressions with stack temporaries, more than
// the usual 8 MB stack holds (Verilator itself runs under `ulimit -s unlimited` for the same
// reason). The main thread's stack is laid out at exec time, so raise the limit and re-execute.
static void EnsureLargeStack(char* argv[]) {
  constexpr rlim_t kWanted = rlim_t(1) << 30;
  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= kWanted)
    return;
  if (std::getenv("NNA_SIM_STACK_RAISED")) return;  // once only, whatever the outcome
  limit.rlim_cur = (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= kWanted) ? kWanted : limit.rlim_max;
  if (setrlimit(RLIMIT_STACK, &limit) != 0) return;
  setenv("NNA_SIM_STACK_RAISED", "1", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the small stack
}

int sc_main(int argc, char* argv[]) {
  EnsureLargeStack(argv);
  // Verilator's plusargs (+verilator+seed+N ...) go to Verilator, the rest to the option parser.
  // Verilator aborts on a +verilator+ argument it does not know: only the two for the initial
  // values pass, checked here so that a bad one is bad input, not a crash.
  std::vector<const char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '+') {
      args.push_back(argv[i]);
      continue;
    }
    const std::string plus = argv[i];
    const bool seed = std::regex_match(plus, std::regex(R"(\+verilator\+seed\+[0-9]{1,9})"));
    const bool reset = std::regex_match(plus, std::regex(R"(\+verilator\+rand\+reset\+[012])"));
    if (!seed && !reset) {
      std::fprintf(stderr,
                   "nna sim: %s is not a plusarg this simulator takes (+verilator+seed+N with N below 10^9, "
                   "+verilator+rand+reset+0|1|2)\n",
                   nna::ClipText(plus).c_str());
      return nna::tb::kExitBadInput;
    }
  }
  nna::tb::SimOptions options;
  try {
    options = nna::tb::ParseOptions(int(args.size()), args.data());
  } catch (const nna::tb::InputError& e) {
    std::fprintf(stderr, "nna sim: %s\n", e.what());
    return nna::tb::kExitBadInput;
  }
  if (options.help) {
    std::printf("%s", options.help_text.c_str());
    return nna::tb::kExitPass;
  }
  // Random initial values (the design is verilated with --x-initial unique) unless a plusarg
  // says otherwise, so randReset comes first. Verilator's seed 0 means a different one every run:
  // draw it here instead, so that the verdict can name it and +verilator+seed+N repeats the run.
  // A coverage build starts from zeros: from random values the reset alone would toggle nearly
  // every bit, and toggle coverage would say nothing about the stimulus (docs/coverage.md).
#ifdef NNA_COVERAGE_BUILD
  Verilated::randReset(0);
#else
  Verilated::randReset(2);
#endif
  Verilated::commandArgs(argc, argv);
  if (Verilated::threadContextp()->randSeed() == 0)
    Verilated::threadContextp()->randSeed(int(std::random_device{}() % 0x7fffffffu) + 1);
  Verilated::fatalOnError(false);  // assertion failures end in a FAIL verdict, not an abort
  if (options.waves) Verilated::traceEverOn(true);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

  // The bundles first (the front door builds or reads them); the testbench only runs them.
  nna::tb::Programs programs;
  try {
    programs = nna::tb::MakeBundles(options, nna::tb::kConfig);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna sim: %s\n", e.what());
    return nna::tb::kExitBadInput;
  }
  nna::tb::Testbench tb(options, std::move(programs.bundles), std::move(programs.output_check));
  try {
    tb.Setup();
  } catch (const std::exception& e) {  // InputError, and whatever the model throws on bad input
    std::fprintf(stderr, "nna sim: %s\n", e.what());
    return nna::tb::kExitBadInput;
  }
  try {
    tb.Run();
  } catch (const nna::tb::InputError& e) {
    std::fprintf(stderr, "nna sim: %s\n", e.what());
    return nna::tb::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna sim: the simulation failed: %s\n", e.what());
    return nna::tb::kExitFail;
  }
  const int verdict = tb.Finish();
#if VM_COVERAGE
  // A coverage build (docs/coverage.md): this run's RTL coverage, merged by `make coverage`.
  Verilated::threadContextp()->coveragep()->write((options.out + "/coverage.dat").c_str());
#endif
  return verdict;
}
