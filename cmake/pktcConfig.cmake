# pktc's CMake package: find_package(pktc [version] REQUIRED) gives
#   pktc::pktc      the compiler (an imported executable)
#   pktc::runtime   the runtime every test binary links (pktc links it by itself; this target is
#                   for projects that link generated C++ with CMake)
#   pktc_add_test(), pktc_add_tests()   see pktcAddTest.cmake
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

include("${CMAKE_CURRENT_LIST_DIR}/pktcTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/pktcAddTest.cmake")

cmake_policy(POP)
