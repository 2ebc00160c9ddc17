// The one instantiation of each std::vector the generated code uses; runtime.h declares them
// extern so that every generated file calls these instead of compiling its own copies. Alone
// in this file: a specialization implicitly instantiated earlier in the same file would not
// get all its members emitted here (GCC 12 left out vector<uint8_t>'s initializer_list
// constructor), and generated code would then fail to link.
#include "pktc/runtime.h"

template class std::vector<pktc::rt::Value>;
template class std::vector<pktc::rt::Value::Field>;
template class std::vector<pktc::rt::TcpOption>;
template class std::vector<pktc::rt::EncapHeader>;
template class std::vector<std::uint8_t>;
