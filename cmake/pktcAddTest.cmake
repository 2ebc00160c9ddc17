# pktc_add_test() and pktc_add_tests(): compile packetdrill scripts with pktc and register them
# with CTest. Installed next to pktcConfig.cmake, which includes it; find_package(pktc) makes
# both functions available.
#
#   pktc_add_test(NAME <name> SOURCES <script.pkt>
#                 [DEFINES NAME=VALUE ...]     packetdrill -D defines (lex time)
#                 [IP_VERSIONS ipv4 ipv6 ...]  one CTest test per family, <name>.<family>;
#                                              without it one test runs every family
#                 [LABELS label ...]           CTest labels (always with "packetdrill")
#                 [TIMEOUT seconds]
#                 [TARGET triple]              build for this target (pktc --target), e.g.
#                                              aarch64-linux-gnu, into <dir>/<triple>/; on a
#                                              host of another architecture its tests report
#                                              skip (qemu-user cannot run them: no
#                                              SO_TIMESTAMPNS); copy the binaries to the target
#                                              or run them with scripts/vm --arch arm64
#                 [OUTPUT_DIRECTORY dir]       default ${CMAKE_CURRENT_BINARY_DIR}/pktc_tests
#                 [OUT_VAR var])               set var to the path of the test binary
#
#   pktc_add_tests(SCRIPTS <a.pkt> ... | DIRECTORY <dir>
#                  [PREFIX prefix] [DEFINES ...] [IP_VERSIONS ...] [LABELS ...] [TIMEOUT s]
#                  [TARGET triple]
#                  [OUTPUT_DIRECTORY dir] [OUT_VAR var])
#       one pktc_add_test per script, named <prefix><script name without .pkt>; DIRECTORY takes
#       every *.pkt in dir (CMake runs again when one is added). OUT_VAR receives the binaries.
#
#   pktc_add_suite(NAME <name> SOURCES <a.pkt> ... | DIRECTORY <dir>
#                  [DEFINES ...] [LABELS ...] [TIMEOUT s] [TARGET triple]
#                  [OUTPUT_DIRECTORY dir] [OUT_VAR var] [SINGLE_TEST])
#       every script linked into one suite binary <name> (pktc a.pkt b.pkt -o <name>): the
#       runtime once, each script's code on its own (about 10 KB a script against 2.9 MB for a
#       binary of its own). One CTest test per script, <name>.<script name>, running
#       `<name> <script name>` (the script exactly as its own binary would run); with
#       SINGLE_TEST one test <name> instead, which runs them all with nested KTAP. OUT_VAR
#       receives the binary. The depfile names every script and helper file, so editing one
#       relinks the suite. TARGET as for pktc_add_test.
#
# Each script becomes a custom command (pktc -MD -MF <bin>.d with DEPFILE, so editing the .pkt or
# a helper file it embeds, such as ./defaults.sh, rebuilds that binary only; for a TARGET the
# depfile names that target's runtime too, and the binary goes to <dir>/<triple>/), a target <name>
# that is built by "all", and CTest tests with SKIP_RETURN_CODE 4 (kselftest's skip: no root or
# no /dev/net/tun). The binaries create their own network namespaces and can run in parallel.

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "pktc_add_test needs CMake 3.20 or later (DEPFILE for every generator)")
endif()

# Functions record the policies in force where they are defined: CMP0116 NEW makes CMake rewrite
# the depfile for the generator, whatever cmake_minimum_required() the calling project has.
cmake_policy(PUSH)
cmake_policy(VERSION 3.20)

# The pktc compiler and runtime targets, as pktc_exe and pktc_runtime in the caller: the
# installed package imports pktc::pktc; inside pktc's own build the targets are local.
macro(_pktc_find_compiler caller)
  if(TARGET pktc::pktc)
    set(pktc_exe pktc::pktc)
    set(pktc_runtime pktc::runtime)
  elseif(TARGET pktc AND TARGET pktc_runtime)
    set(pktc_exe pktc)
    set(pktc_runtime pktc_runtime)
  else()
    message(FATAL_ERROR "${caller}: no pktc target; call find_package(pktc) first")
  endif()
endmacro()

# From arg_NAME, arg_OUTPUT_DIRECTORY and arg_TARGET, in the caller: out_dir, bin (the binary),
# target_flag (pktc's --target) and run (the test command). A cross target's binaries go apart
# from the host's; on another architecture they are built but cannot run here, and their tests
# say so (exit 4, skipped).
macro(_pktc_output_layout)
  if(arg_OUTPUT_DIRECTORY)
    cmake_path(ABSOLUTE_PATH arg_OUTPUT_DIRECTORY BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
               NORMALIZE OUTPUT_VARIABLE out_dir)
  else()
    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/pktc_tests")
  endif()
  set(target_flag "")
  set(foreign "")
  if(arg_TARGET)
    set(target_flag "--target=${arg_TARGET}")
    set(out_dir "${out_dir}/${arg_TARGET}")
    string(REGEX REPLACE "-.*" "" target_arch "${arg_TARGET}")
    if(NOT target_arch STREQUAL CMAKE_HOST_SYSTEM_PROCESSOR)
      set(foreign "a ${arg_TARGET} test binary does not run on this ${CMAKE_HOST_SYSTEM_PROCESSOR} host: run it on the target (or scripts/vm --arch arm64)")
    endif()
  endif()
  file(MAKE_DIRECTORY "${out_dir}")
  set(bin "${out_dir}/${arg_NAME}")
  set(run "${bin}")
  if(foreign)
    set(run sh -c "echo 'SKIP: ${foreign}' && exit 4" "${bin}")
  endif()
endmacro()

# In the caller: `scripts`, every *.pkt in arg_DIRECTORY (relative to the current source
# directory), sorted, and `dir`, that directory. Adding or removing a script changes the
# directory's time stamp: CMake runs again. (Not CONFIGURE_DEPENDS, which would keep `ninja -n`
# from showing what a build would do.)
macro(_pktc_scripts_in_directory)
  cmake_path(ABSOLUTE_PATH arg_DIRECTORY BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
             NORMALIZE OUTPUT_VARIABLE dir)
  file(GLOB scripts "${dir}/*.pkt")
  list(SORT scripts)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${dir}")
endmacro()

# For the CTest tests named in `tests`: kselftest's skip code, the "packetdrill" label with
# arg_LABELS, arg_TIMEOUT; and arg_OUT_VAR, in the calling function's caller, set to `bin`.
macro(_pktc_test_properties)
  set(labels packetdrill ${arg_LABELS})
  set_tests_properties(${tests} PROPERTIES SKIP_RETURN_CODE 4 LABELS "${labels}")
  if(arg_TIMEOUT)
    set_tests_properties(${tests} PROPERTIES TIMEOUT ${arg_TIMEOUT})
  endif()
  if(arg_OUT_VAR)
    set(${arg_OUT_VAR} "${bin}" PARENT_SCOPE)
  endif()
endmacro()

function(pktc_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
    "NAME;TIMEOUT;OUTPUT_DIRECTORY;OUT_VAR;TARGET" "SOURCES;DEFINES;IP_VERSIONS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pktc_add_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME)
    message(FATAL_ERROR "pktc_add_test: NAME is required")
  endif()
  list(LENGTH arg_SOURCES count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "pktc_add_test(${arg_NAME}): SOURCES takes exactly one .pkt script")
  endif()

  _pktc_find_compiler(pktc_add_test)

  cmake_path(ABSOLUTE_PATH arg_SOURCES BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
             NORMALIZE OUTPUT_VARIABLE source)
  _pktc_output_layout()

  list(TRANSFORM arg_DEFINES PREPEND "--define=" OUTPUT_VARIABLE defines)

  cmake_path(RELATIVE_PATH source BASE_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE shown)
  add_custom_command(
    OUTPUT "${bin}"
    COMMAND ${pktc_exe} ${target_flag} ${defines} -MD -MF "${bin}.d" -o "${bin}" "${source}"
    # The .pkt and its embedded helper files come from the depfile; a new pktc or runtime
    # rebuilds every test.
    DEPENDS "${source}" ${pktc_exe} ${pktc_runtime}
    DEPFILE "${bin}.d"
    COMMENT "pktc ${shown}"
    VERBATIM)
  add_custom_target(${arg_NAME} ALL DEPENDS "${bin}")

  set(tests "")
  if(arg_IP_VERSIONS)
    foreach(family IN LISTS arg_IP_VERSIONS)
      add_test(NAME ${arg_NAME}.${family} COMMAND ${run} --ip_version=${family}
               WORKING_DIRECTORY "${out_dir}")
      list(APPEND tests ${arg_NAME}.${family})
    endforeach()
  else()
    add_test(NAME ${arg_NAME} COMMAND ${run} WORKING_DIRECTORY "${out_dir}")
    list(APPEND tests ${arg_NAME})
  endif()
  _pktc_test_properties()
endfunction()

function(pktc_add_tests)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
    "DIRECTORY;PREFIX;TIMEOUT;OUTPUT_DIRECTORY;OUT_VAR;TARGET" "SCRIPTS;DEFINES;IP_VERSIONS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pktc_add_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if((arg_SCRIPTS AND arg_DIRECTORY) OR (NOT arg_SCRIPTS AND NOT arg_DIRECTORY))
    message(FATAL_ERROR "pktc_add_tests: give either SCRIPTS or DIRECTORY")
  endif()

  set(scripts ${arg_SCRIPTS})
  if(arg_DIRECTORY)
    _pktc_scripts_in_directory()
    if(NOT scripts)
      message(WARNING "pktc_add_tests: no .pkt scripts in ${dir}")
    endif()
  endif()

  set(pass_on "")
  foreach(keyword TIMEOUT OUTPUT_DIRECTORY TARGET)
    if(arg_${keyword})
      list(APPEND pass_on ${keyword} "${arg_${keyword}}")
    endif()
  endforeach()
  foreach(keyword DEFINES IP_VERSIONS LABELS)
    if(arg_${keyword})
      list(APPEND pass_on ${keyword} ${arg_${keyword}})
    endif()
  endforeach()

  set(bins "")
  foreach(script IN LISTS scripts)
    cmake_path(GET script STEM LAST_ONLY stem)
    pktc_add_test(NAME ${arg_PREFIX}${stem} SOURCES "${script}" ${pass_on} OUT_VAR bin)
    list(APPEND bins "${bin}")
  endforeach()

  if(arg_OUT_VAR)
    set(${arg_OUT_VAR} "${bins}" PARENT_SCOPE)
  endif()
endfunction()

function(pktc_add_suite)
  cmake_parse_arguments(PARSE_ARGV 0 arg "SINGLE_TEST"
    "NAME;DIRECTORY;TIMEOUT;OUTPUT_DIRECTORY;OUT_VAR;TARGET" "SOURCES;DEFINES;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pktc_add_suite: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME)
    message(FATAL_ERROR "pktc_add_suite: NAME is required")
  endif()
  if((arg_SOURCES AND arg_DIRECTORY) OR (NOT arg_SOURCES AND NOT arg_DIRECTORY))
    message(FATAL_ERROR "pktc_add_suite(${arg_NAME}): give either SOURCES or DIRECTORY")
  endif()
  _pktc_find_compiler(pktc_add_suite)

  set(scripts "")
  if(arg_DIRECTORY)
    _pktc_scripts_in_directory()
  else()
    foreach(source IN LISTS arg_SOURCES)
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
                 NORMALIZE OUTPUT_VARIABLE script)
      list(APPEND scripts "${script}")
    endforeach()
  endif()
  if(NOT scripts)
    message(FATAL_ERROR "pktc_add_suite(${arg_NAME}): no .pkt scripts")
  endif()

  _pktc_output_layout()

  list(TRANSFORM arg_DEFINES PREPEND "--define=" OUTPUT_VARIABLE defines)
  list(LENGTH scripts count)
  # --suite: a suite even of one script. pktc compiles the scripts in parallel itself (one
  # compiler per CPU); -j1 would keep it to the one job slot Ninja gave it.
  add_custom_command(
    OUTPUT "${bin}"
    COMMAND ${pktc_exe} --suite ${target_flag} ${defines} -MD -MF "${bin}.d" -o "${bin}" ${scripts}
    DEPENDS ${scripts} ${pktc_exe} ${pktc_runtime}
    DEPFILE "${bin}.d"
    COMMENT "pktc suite ${arg_NAME} (${count} scripts)"
    VERBATIM)
  add_custom_target(${arg_NAME} ALL DEPENDS "${bin}")

  set(tests "")
  if(arg_SINGLE_TEST)
    add_test(NAME ${arg_NAME} COMMAND ${run} WORKING_DIRECTORY "${out_dir}")
    list(APPEND tests ${arg_NAME})
  else()
    foreach(script IN LISTS scripts)
      cmake_path(GET script STEM LAST_ONLY stem)
      add_test(NAME ${arg_NAME}.${stem} COMMAND ${run} ${stem} WORKING_DIRECTORY "${out_dir}")
      list(APPEND tests ${arg_NAME}.${stem})
    endforeach()
  endif()
  _pktc_test_properties()
endfunction()

cmake_policy(POP)
