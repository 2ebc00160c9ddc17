// pktc command line: flags only; everything else is in the driver.
#include <cstdlib>

#include "driver/driver.h"
#include "driver/targets.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {
cl::OptionCategory kCategory("pktc options");

cl::list<std::string> inputs(cl::Positional,
                             cl::desc("<script.pkt or directory> (several: a suite, or --check "
                                      "each)"),
                             cl::OneOrMore, cl::cat(kCategory));
cl::opt<std::string> output("o", cl::desc("Output file (default: the script name without .pkt; "
                                          "'-' is stdout with --emit=cpp)"),
                            cl::value_desc("file"), cl::cat(kCategory));
cl::list<std::string> defines("D", cl::Prefix,
                              cl::desc("Define NAME as VALUE while reading the script, as "
                                       "packetdrill's -D (repeatable)"),
                              cl::value_desc("NAME=VALUE"), cl::cat(kCategory));
cl::list<std::string> long_defines("define", cl::desc("Same as -D"), cl::value_desc("NAME=VALUE"),
                                   cl::cat(kCategory));
enum class Emit { kExe, kCpp, kIr };
cl::opt<Emit> emit("emit", cl::desc("What to produce"), cl::init(Emit::kExe),
                   cl::values(clEnumValN(Emit::kExe, "exe", "a static test executable (default)"),
                              clEnumValN(Emit::kCpp, "cpp", "the generated C++ source"),
                              clEnumValN(Emit::kIr, "ir", "the checked IR, one line per event")),
                   cl::cat(kCategory));
cl::opt<bool> check("check", cl::desc("Parse and check the script only; write nothing"),
                    cl::cat(kCategory));
cl::opt<bool> no_line("no-line-directives",
                      cl::desc("Leave #line directives out of the generated C++"),
                      cl::cat(kCategory));
cl::opt<bool> suite("suite",
                    cl::desc("Link the scripts into one suite binary (implied by several "
                             "scripts or a directory)"),
                    cl::cat(kCategory));
cl::opt<unsigned> jobs("j", cl::Prefix,
                       cl::desc("Compile a suite with N compilers at once (default: the CPU "
                                "count)"),
                       cl::value_desc("N"), cl::cat(kCategory));
cl::opt<bool> verbose("v", cl::desc("Print the C++ compiler command"), cl::cat(kCategory));
cl::opt<std::string> sanitize(
    "sanitize",
    cl::desc("Build the test with sanitizers (address, undefined, or address,undefined): the "
             "script's code gets them and the test links the runtime built with ASan and UBSan, "
             "dynamically; for finding bugs, not for shipping"),
    cl::value_desc("list"), cl::cat(kCategory));
cl::opt<std::string> target(
    "target",
    cl::desc("Build the test for this target (a triple, e.g. aarch64-linux-gnu): its runtime "
             "and its cross compiler <triple>-g++ are used (default: the host's)"),
    cl::value_desc("triple"), cl::cat(kCategory));
cl::opt<bool> print_targets("print-targets",
                            cl::desc("List the targets whose runtime is installed, the default "
                                     "(the host's) first, and exit"),
                            cl::cat(kCategory));

/// --print-targets: one installed target a line, the host's first.
int PrintTargets(const char* argv0) {
  static int anchor;
  for (const std::string& t : pktc::InstalledTargets(pktc::PktcPrefix(argv0, &anchor))) {
    llvm::outs() << t << "\n";
  }
  return 0;
}

/// Checks --target and puts it into `options`; 0, or the exit status after a one-line error.
int ApplyTarget(pktc::DriverOptions* options) {
  if (target.getNumOccurrences() == 0) return 0;
  if (std::string error = pktc::CheckTargetName(target); !error.empty()) {
    llvm::errs() << "pktc: error: " << error << "\n";
    return 2;
  }
  if (!options->sanitizers.empty() && !pktc::TargetVariant(target).empty()) {
    llvm::errs() << "pktc: error: --sanitize is only available for the host's target ("
                 << pktc::HostTarget() << ")\n";
    return 2;
  }
  options->target = target;
  return 0;
}

cl::opt<bool> deps_only("M", cl::desc("Print a Make rule of the files the script depends on; "
                                      "build nothing"),
                        cl::cat(kCategory));
cl::opt<bool> write_deps("MD", cl::desc("Also write a Make depfile (the .pkt and every file "
                                        "it embeds)"),
                         cl::cat(kCategory));
cl::opt<std::string> deps_file("MF", cl::desc("Depfile name (default: OUTPUT.d)"),
                               cl::value_desc("file"), cl::cat(kCategory));
cl::opt<std::string> deps_target("MT", cl::desc("Target named in the depfile (default: OUTPUT)"),
                                 cl::value_desc("target"), cl::cat(kCategory));
cl::opt<bool> phony_deps("MP", cl::desc("Add a phony target for each dependency"),
                         cl::cat(kCategory));
}  // namespace

int main(int argc, char** argv) {
  // --print-targets needs no script, which the parse below insists on: answered first.
  for (int i = 1; i < argc; ++i) {
    if (llvm::StringRef(argv[i]) == "--print-targets") return PrintTargets(argv[0]);
  }
  cl::SetVersionPrinter([](llvm::raw_ostream& os) { os << pktc::VersionString() << "\n"; });
  cl::HideUnrelatedOptions(kCategory);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "pktc: compiles a packetdrill script into a self-contained test executable\n\n"
          "  pktc script.pkt -o test     build ./test (runs ipv4 and ipv6, prints KTAP)\n"
          "  pktc --emit=cpp script.pkt -o -   print the generated C++\n"
          "  pktc --check script.pkt     report errors only\n"
          "  pktc a.pkt b.pkt dir/ -o suite\n"
          "                              build ./suite, one binary holding every script (a\n"
          "                              directory gives its *.pkt): ./suite runs them all with\n"
          "                              nested KTAP, ./suite --list names them, ./suite\n"
          "                              --filter=GLOB runs some, ./suite NAME [flags] is NAME's\n"
          "                              own binary; each script is compiled on its own, -j N\n"
          "                              at a time (default: the CPU count), and linked once\n"
          "  pktc --sanitize=address,undefined script.pkt -o test\n"
          "                              build ./test against the runtime built with ASan and\n"
          "                              UBSan (a dynamically linked test binary)\n"
          "  pktc --target=aarch64-linux-gnu script.pkt -o test\n"
          "                              build a static arm64 ./test with aarch64-linux-gnu-g++\n"
          "  pktc --print-targets        list the installed targets\n\n"
          "The C++ compiler is $CXX (default: the one pktc was built with), or <triple>-g++\n"
          "for --target=<triple>; it links with lld where ld.lld is installed, or with\n"
          "$PKTC_LINKER (bfd, gold, lld) when set.\n",
          &llvm::errs())) {
    return 2;
  }
  pktc::DriverOptions options;
  // Directories stand for their scripts; several scripts (or --suite) make a suite binary.
  bool any_directory = false;
  for (const std::string& input : inputs) {
    any_directory |= llvm::sys::fs::is_directory(input);
  }
  std::vector<std::string> scripts;
  if (!pktc::ExpandInputs({inputs.begin(), inputs.end()}, &scripts)) return 1;
  bool make_suite = !check && (suite || any_directory || scripts.size() > 1);
  if (make_suite && emit != Emit::kExe) {
    llvm::errs() << "pktc: error: a suite of several scripts is built as an executable only "
                    "(--emit=cpp and --emit=ir take one script)\n";
    return 2;
  }
  if (make_suite && output.empty()) {
    llvm::errs() << "pktc: error: a suite of several scripts needs -o to name its binary\n";
    return 2;
  }
  if (sanitize.getNumOccurrences() > 0) {
    std::string error;
    if (!pktc::ParseSanitizers(sanitize, &options.sanitizers, &error)) {
      llvm::errs() << "pktc: error: " << error << "\n";
      return 2;
    }
  }
  options.inputs = scripts;
  options.input = scripts.front();
  options.jobs = jobs;
  options.output = output;
  options.defines.assign(defines.begin(), defines.end());
  options.defines.insert(options.defines.end(), long_defines.begin(), long_defines.end());
  options.emit = emit == Emit::kCpp  ? pktc::EmitKind::kCpp
                 : emit == Emit::kIr ? pktc::EmitKind::kIr
                                     : pktc::EmitKind::kExecutable;
  options.check_only = check;
  options.line_directives = !no_line;
  options.verbose = verbose;
  options.deps_only = deps_only;
  options.write_deps = write_deps;
  options.deps_file = deps_file;
  options.deps_target = deps_target;
  options.phony_deps = phony_deps;
  if (int status = ApplyTarget(&options); status != 0) return status;
  options.argv0 = argv[0];
  static int anchor;
  options.main_address = &anchor;
  if (make_suite) return pktc::RunSuiteDriver(options);
  // --check over many scripts in one process (a corpus), reporting each one's errors.
  int status = 0;
  for (const std::string& input : scripts) {
    options.input = input;
    status |= pktc::RunDriver(options);
  }
  return status;
}
