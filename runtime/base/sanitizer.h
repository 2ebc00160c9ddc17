// What the runtime does differently in its sanitized variant (pktc --sanitize): the sanitizers'
// default options, the exit status that marks a report, and leak checks before _exit.
#ifndef PKTC_RUNTIME_BASE_SANITIZER_H_
#define PKTC_RUNTIME_BASE_SANITIZER_H_

namespace pktc::rt {

/// The exit status with which a sanitizer report ends a process of the sanitized runtime (its
/// default ASan, UBSan and LSan options set it), so that the parent can tell a report from a
/// failed script; 0 in the normal runtime, where no exit status means that.
int SanitizerExitStatus();

/// Whether this is the sanitized runtime.
inline bool SanitizedRuntime() { return SanitizerExitStatus() != 0; }

/// In the sanitized runtime, runs LeakSanitizer now and ends the process with
/// SanitizerExitStatus() if anything leaked. Every process of a run ends with _exit, which
/// skips the check LeakSanitizer otherwise makes at exit. Nothing in the normal runtime.
void CheckForLeaks();

/// A test hook of the sanitized runtime, so a test can prove that a report reaches the verdict
/// and the exit status: with PKTC_SANITIZER_SELF_TEST set to use-after-free,
/// signed-overflow or leak, makes that mistake on purpose. Nothing otherwise, and nothing in
/// the normal runtime.
void RunSanitizerSelfTest();

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_BASE_SANITIZER_H_
