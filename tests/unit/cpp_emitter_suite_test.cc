// Unit tests for the suite form of compiler/codegen/cpp_emitter.h: a script as a member of a
// suite binary (no main, a unique entry point, embedded files named by their contents) and the
// suite's main.

#include <gtest/gtest.h>

#include <string>

#include "codegen/cpp_emitter.h"
#include "driver/driver.h"

namespace pktc {
namespace {

ir::Script ScriptWithFile(const std::string& name, const std::string& contents) {
  ir::Script script;
  script.path = "dir/" + name + ".pkt";
  script.name = name;
  script.text = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
  ir::EmbeddedFile file;
  file.path = "defaults.sh";
  file.contents = contents;
  file.mode = 0755;
  script.files.push_back(file);
  return script;
}

std::string Emit(const ir::Script& script, int suite_index) {
  EmitOptions options;
  options.suite_index = suite_index;
  options.line_directives = false;
  return EmitCpp(script, options);
}

/// The inline variable that holds an embedded file's bytes in a suite, from its declaration.
std::string EmbeddedName(const std::string& cpp) {
  std::string marker = "inline constexpr char ";
  std::size_t at = cpp.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return cpp.substr(at, cpp.find('[', at) - at);
}

TEST(SuiteEmit, AScriptOfItsOwnKeepsMainAndItsOwnFileArray) {
  std::string cpp = Emit(ScriptWithFile("one", "echo hi\n"), -1);
  EXPECT_NE(cpp.find("int main(int argc, char** argv)"), std::string::npos);
  EXPECT_NE(cpp.find("constexpr char kFile0[]"), std::string::npos);
  EXPECT_EQ(cpp.find("pktc_suite"), std::string::npos);
  EXPECT_EQ(cpp.find("pktc_embedded"), std::string::npos);
}

TEST(SuiteEmit, AMemberHasNoMainButAnEntryPointOfItsIndex) {
  std::string cpp = Emit(ScriptWithFile("one", "echo hi\n"), 7);
  EXPECT_EQ(cpp.find("int main("), std::string::npos);
  EXPECT_NE(cpp.find("const pktc::rt::ScriptInfo& Script7() {"), std::string::npos);
  EXPECT_NE(cpp.find("return kScript;"), std::string::npos);
  // The script's own file table still names the file as the script's command does.
  EXPECT_NE(cpp.find("{\"defaults.sh\", pktc_embedded::k"), std::string::npos);
}

TEST(SuiteEmit, IdenticalEmbeddedFilesShareOneNameAndOthersDoNot) {
  std::string a = EmbeddedName(Emit(ScriptWithFile("a", "sysctl -q x=1\n"), 0));
  std::string b = EmbeddedName(Emit(ScriptWithFile("b", "sysctl -q x=1\n"), 1));
  std::string c = EmbeddedName(Emit(ScriptWithFile("c", "sysctl -q x=2\n"), 2));
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(SuiteEmit, MainHandsEveryScriptToSuiteMain) {
  std::string cpp = EmitSuiteMain(2, "9.9");
  EXPECT_NE(cpp.find("const pktc::rt::ScriptInfo& Script0();"), std::string::npos);
  EXPECT_NE(cpp.find("const pktc::rt::ScriptInfo& Script1();"), std::string::npos);
  EXPECT_NE(cpp.find("&pktc_suite::Script1(),"), std::string::npos);
  EXPECT_NE(cpp.find("return pktc::rt::SuiteMain(argc, argv, kScripts, 2);"), std::string::npos);
}

TEST(SuiteDriver, DefaultJobsIsAtLeastOne) { EXPECT_GE(DefaultJobs(), 1u); }

}  // namespace
}  // namespace pktc
