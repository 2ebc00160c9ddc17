// Code blocks (`%{ ... }%`) at run time: a snapshot of the socket under test at each code event,
// and after the last event the blocks themselves, compiled ones natively and the others with
// python3, as packetdrill runs them.
#ifndef PKTC_RUNTIME_EXEC_CODE_BLOCK_RUNNER_H_
#define PKTC_RUNTIME_EXEC_CODE_BLOCK_RUNNER_H_

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pktc/runtime.h"
#include "exec/tcp_info_snapshot.h"

namespace pktc::rt {

/// Ends a native code block the way a Python exception ends packetdrill's Python program. The
/// runner's CodeContext and the rt::py helpers throw it and CodeBlockRunner::RunAll catches it;
/// what() reads like the last line of a Python traceback ("NameError: name 'x' is not defined").
class CodeBlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Collects a script's code blocks during the run and executes them after the last event.
///
/// packetdrill defers code blocks: at each code event it only snapshots TCP_INFO, TCP_CC_INFO
/// and SO_MEMINFO; after the last event (and the cleanup command) it runs all blocks in one
/// Python module, each after assignments of its snapshot's values, so a failing assert is
/// reported at the end and variables assigned by one block are seen by later blocks. Native
/// blocks get the same semantics from one namespace of 64-bit integers shared by all blocks.
///
/// A script's blocks should be either all native or all Python, since only then do they
/// share variables; pktc's compiler sends every block of a script to Python if one needs it.
class CodeBlockRunner {
 public:
  /// Receives each line a block prints (without the newline).
  using PrintSink = std::function<void(const std::string& line)>;

  /// `code_command` runs the Python program (packetdrill's --code_command): a shell command
  /// line to which the program's path is appended.
  explicit CodeBlockRunner(std::string code_command = "python3");

  /// Snapshots `live_fd` for the block the next AddNative/AddPython call adds. Call it at the
  /// code event's time. False, with packetdrill's message, if a getsockopt fails.
  bool Snapshot(int live_fd, std::string* error);
  /// Queues a snapshot taken elsewhere for the next block (what Snapshot does after reading).
  void AddSnapshot(TcpInfoSnapshot snapshot);
  /// Adds a block compiled to `fn`; the script line is the code event's.
  void AddNative(int line, CodeFn fn);
  /// Adds a block to run with Python; `text` is the block's body as the script has it.
  void AddPython(int line, std::string text);

  bool empty() const { return blocks_.empty(); }
  /// Prints the Python program and the command line before running it (packetdrill's -v).
  void set_verbose(bool verbose) { verbose_ = verbose; }
  /// Where print() output of native blocks goes; stdout by default, as Python's would.
  void set_print_sink(PrintSink sink) { print_ = std::move(sink); }

  /// Runs every block in script order. On the first failure returns false with the complete
  /// report in `failure_message` (lines without a final newline):
  ///   native: "<script>:<line>: error in Python code: assert <source> failed: <message>"
  ///   Python: the interpreter's stderr, then
  ///           "<script>: error executing code: 'python3' returned non-zero status 1".
  bool RunAll(const char* script_path, std::string* failure_message);

  /// The program packetdrill would write for the Python blocks: a preamble whose exception
  /// hook names `_file:_line`, then per block its snapshot's assignments, `_file`, `_line` and
  /// the block's text.
  std::string PythonProgram(const char* script_path) const;

 private:
  struct Block {
    int line = 0;
    TcpInfoSnapshot snapshot;
    CodeFn native = nullptr;  ///< nullptr: a Python block.
    std::string python;
  };

  Block& NewBlock(int line);
  bool RunNative(const char* script_path, std::string* failure_message);
  bool RunPython(const char* script_path, std::string* failure_message);

  std::string code_command_;
  bool verbose_ = false;
  PrintSink print_;
  std::optional<TcpInfoSnapshot> pending_;
  std::vector<Block> blocks_;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_CODE_BLOCK_RUNNER_H_
