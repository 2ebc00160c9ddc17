# Install rules for the CMake package (lib/cmake/pktc) and CPack settings for a .deb. Included
# from the top-level CMakeLists.txt after the compiler and runtime targets exist; those install
# themselves into the export set pktcTargets.
include(CMakePackageConfigHelpers)

# The driver finds the runtime as ../lib and ../include beside bin/pktc, so the layout is fixed
# (no GNUInstallDirs multiarch libdir).
set(PKTC_CMAKE_PACKAGE_DIR lib/cmake/pktc)
set_target_properties(pktc_runtime PROPERTIES EXPORT_NAME runtime)

install(EXPORT pktcTargets NAMESPACE pktc:: DESTINATION ${PKTC_CMAKE_PACKAGE_DIR})

# The same package in the build tree (build/lib/cmake/pktc), so a project can also use pktc
# straight from a build with -DCMAKE_PREFIX_PATH=<pktc build dir>.
set(pktc_build_package_dir ${CMAKE_BINARY_DIR}/${PKTC_CMAKE_PACKAGE_DIR})
export(EXPORT pktcTargets NAMESPACE pktc:: FILE ${pktc_build_package_dir}/pktcTargets.cmake)
configure_file(${CMAKE_CURRENT_LIST_DIR}/pktcConfig.cmake
               ${pktc_build_package_dir}/pktcConfig.cmake COPYONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/pktcAddTest.cmake
               ${pktc_build_package_dir}/pktcAddTest.cmake COPYONLY)
# Before 1.0 a minor version may break what the package offers.
write_basic_package_version_file(${pktc_build_package_dir}/pktcConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_LIST_DIR}/pktcConfig.cmake
  ${CMAKE_CURRENT_LIST_DIR}/pktcAddTest.cmake
  ${pktc_build_package_dir}/pktcConfigVersion.cmake
  DESTINATION ${PKTC_CMAKE_PACKAGE_DIR})

# cpack -G DEB (from the build directory) -> pktc_<version>_<arch>.deb installing under /usr.
set(PKTC_PACKAGE_MAINTAINER "pktc maintainers <pktc@example.org>"
    CACHE STRING "Maintainer field of the pktc .deb")
set(CPACK_PACKAGE_NAME pktc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "compiles packetdrill scripts into self-contained static test executables")
set(CPACK_PACKAGE_CONTACT "${PKTC_PACKAGE_MAINTAINER}")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PKTC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# pktc runs the C++ compiler (and its static libc/libstdc++) on every script; the shared
# libraries pktc itself needs (libfmt, libtinfo, ...) come from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "g++")
# The runtime of every cross target is in the package; its compiler is not needed to use the rest.
set(pktc_cross_compilers "")
foreach(triple ${PKTC_TARGETS})
  if(NOT triple STREQUAL PKTC_HOST_TARGET)
    string(REPLACE "_" "-" package "g++-${triple}")
    list(APPEND pktc_cross_compilers ${package})
  endif()
endforeach()
if(pktc_cross_compilers)
  string(REPLACE ";" ", " CPACK_DEBIAN_PACKAGE_SUGGESTS "${pktc_cross_compilers}")
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
