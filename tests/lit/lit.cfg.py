# lit configuration for pktc: golden tests of the compiler's output and diagnostics, and
# end-to-end runs of compiled scripts (which need root and /dev/net/tun).
import os
import shutil
import subprocess

import lit.formats

config.name = "pktc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".pkt", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.pktc_build_dir, "tests", "lit")

config.substitutions.append(("%pktc-run", os.path.join(config.pktc_build_dir, "bin", "pktc-run")))
config.substitutions.append(("%deny-userns", os.path.join(config.pktc_build_dir, "tests", "bin",
                                                        "pktc-test-deny-userns")))
config.substitutions.append(("%pktc", os.path.join(config.pktc_build_dir, "bin", "pktc")))
config.substitutions.append(("%corpus", config.pktc_corpus_dir))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])
for var in ["TMPDIR", "CXX", "HOME"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]


def can_run_tun():
    """Root, /dev/net/tun and network namespaces: what compiled tests need to run."""
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        return False
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    return subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0


if can_run_tun():
    config.available_features.add("tun")
else:
    lit_config.note("end-to-end tests are skipped: they need root, /dev/net/tun and unshare -n")

if os.path.isfile(os.path.join(config.pktc_corpus_dir, "kselftest", "tcp_inq_client.pkt")):
    config.available_features.add("corpus")
else:
    lit_config.note("corpus tests are skipped: no corpus at %s (set PKTC_CORPUS_DIR)"
                    % config.pktc_corpus_dir)
if shutil.which("setpriv"):
    config.available_features.add("setpriv")
    # Whether an unprivileged user may create user namespaces here (the binaries' fallback).
    probe = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
             "unshare", "-Urn", "true"]
    if os.geteuid() == 0 and subprocess.run(probe, capture_output=True).returncode == 0:
        config.available_features.add("userns")

# Cross targets: an aarch64 runtime in this build and its compiler (pktc --target), and
# qemu-user to run what it builds.
if (os.path.isfile(os.path.join(config.pktc_build_dir, "lib", "pktc", "aarch64-linux-gnu",
                                "libpktc_runtime.a"))
        and shutil.which("aarch64-linux-gnu-g++")):
    config.available_features.add("aarch64-target")
else:
    lit_config.note("aarch64 tests are skipped: no aarch64 runtime in this build or no "
                    "aarch64-linux-gnu-g++ (g++-aarch64-linux-gnu)")
if shutil.which("qemu-aarch64-static"):
    config.available_features.add("qemu-aarch64")
# The build tree, the prefix bin/pktc finds its runtimes under.
config.substitutions.append(("%builddir", config.pktc_build_dir))
