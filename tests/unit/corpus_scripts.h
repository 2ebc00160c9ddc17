// Reads scripts of the kernel corpus (test data beside the project, never copied into it) for
// unit tests that check real scripts; a test skips with a clear message where it is absent.
#ifndef PKTC_TESTS_UNIT_CORPUS_SCRIPTS_H_
#define PKTC_TESTS_UNIT_CORPUS_SCRIPTS_H_

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace pktc::testing {

/// The corpus directory: $PKTC_CORPUS_DIR, else the build's -DPKTC_CORPUS_DIR.
inline std::string CorpusDir() {
  const char* env = std::getenv("PKTC_CORPUS_DIR");
  return env && *env ? env : PKTC_TEST_CORPUS_DIR;
}

inline std::optional<std::string> ReadCorpusScript(const std::string& name) {
  std::ifstream in(CorpusDir() + "/kselftest/" + name, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pktc::testing

/// Declares `const std::string& var` holding a corpus script, or skips the test.
#define PKTC_CORPUS_SCRIPT(var, name)                                                         \
  std::optional<std::string> var##_text = ::pktc::testing::ReadCorpusScript(name);            \
  if (!var##_text) {                                                                          \
    GTEST_SKIP() << "no corpus script " << (name) << " under " << ::pktc::testing::CorpusDir() \
                 << "/kselftest (set PKTC_CORPUS_DIR)";                                       \
  }                                                                                           \
  const std::string& var = *var##_text

#endif  // PKTC_TESTS_UNIT_CORPUS_SCRIPTS_H_
