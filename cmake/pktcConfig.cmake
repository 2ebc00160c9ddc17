# pktc's CMake package: find_package(pktc [version] REQUIRED) gives
#   pktc::pktc      the compiler (an imported executable)
#   pktc::runtime   the runtime every test binary links (pktc links it by itself; this target is
#                   for projects that link generated C++ with CMake)
#   pktc_add_test(), pktc_add_tests()   see pktcAddTest.cmake
#   PKTC_CROSS_TARGETS  the cross targets (triples) whose runtime is installed, for
#                   pktc_add_test(... TARGET triple); the host's is always there
cmake_policy(PUSH)
cmake_policy(VERSION 3.20)

# pktc::runtime needs Threads::Threads, which needs a C or C++ compiler; a project that only
# builds tests with pktc may enable no language at all.
get_property(_pktc_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if("C" IN_LIST _pktc_languages OR "CXX" IN_LIST _pktc_languages)
  include(CMakeFindDependencyMacro)
  find_dependency(Threads)
endif()
unset(_pktc_languages)

set(PKTC_CROSS_TARGETS "")
file(GLOB _pktc_runtimes "${CMAKE_CURRENT_LIST_DIR}/../../pktc/*-linux-*/libpktc_runtime.a")
foreach(_pktc_runtime IN LISTS _pktc_runtimes)
  get_filename_component(_pktc_runtime "${_pktc_runtime}" DIRECTORY)
  get_filename_component(_pktc_runtime "${_pktc_runtime}" NAME)
  list(APPEND PKTC_CROSS_TARGETS ${_pktc_runtime})
endforeach()
unset(_pktc_runtimes)
unset(_pktc_runtime)

include("${CMAKE_CURRENT_LIST_DIR}/pktcTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/pktcAddTest.cmake")

cmake_policy(POP)
