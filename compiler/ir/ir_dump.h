// A readable text form of the IR (--emit=ir), for golden tests and for seeing how pktc
// understood a script: one line per event with every symbol resolved.
#ifndef PKTC_COMPILER_IR_IR_DUMP_H_
#define PKTC_COMPILER_IR_IR_DUMP_H_

#include <string>

#include "ir/ir.h"

namespace pktc {

std::string DumpIr(const ir::Script& script);

}  // namespace pktc

#endif  // PKTC_COMPILER_IR_IR_DUMP_H_
