# orchestra_module(NAME DEPS <targets...>)
# Builds every *.cc of the calling folder except *_test.cc into the static library
# orchestra_NAME, and every *_test.cc into the test binary NAME_test (GoogleTest).
function(orchestra_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  add_library(orchestra_${name} STATIC ${sources})
  target_include_directories(orchestra_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(orchestra_${name} PUBLIC ${ARG_DEPS})
  if(tests)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE orchestra_${name} ${ARG_TEST_DEPS} GTest::gmock GTest::gtest_main)
    # Tests find the source tree (tests/, data/) when run outside ctest, which sets
    # ORCHESTRA_SOURCE_DIR (core/reference_test_util.h: SourceDir). Under ctest every test that
    # opens the full expert corpus shares one index (sim/corpus.h: CorpusDirectory), built by
    # the first and reused by the others.
    target_compile_definitions(${name}_test PRIVATE ORCHESTRA_SOURCE_DIR_DEFAULT="${PROJECT_SOURCE_DIR}")
    gtest_discover_tests(${name}_test
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      PROPERTIES ENVIRONMENT "ORCHESTRA_SOURCE_DIR=${PROJECT_SOURCE_DIR};ORCHESTRA_CORPUS_DIR=${ORCHESTRA_TEST_CORPUS_DIR}"
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# orchestra_embed(TARGET OUT_CC NAMESPACE_SYMBOL FILES...)
# Generates a .cc defining `const std::vector<orchestra::EmbeddedFile>& SYMBOL()` holding the
# bytes of FILES (paths relative to the source root), so the binary needs no data directory.
function(orchestra_embed out_cc symbol)
  set(files ${ARGN})
  # A ';' would end the shell command: pass the list '|'-separated (Embed.cmake splits it).
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(
    OUTPUT ${out_cc}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cc} -DSYMBOL=${symbol} -DROOT=${PROJECT_SOURCE_DIR}
            "-DFILES=${files_arg}" -P ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake ${files}
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()

# orchestra_link_allocator(TARGET)
# Links the executable TARGET against tcmalloc (see the top-level CMakeLists.txt), unless this
# is a sanitizer or fuzzing build.
function(orchestra_link_allocator target)
  if(TARGET PkgConfig::TCMALLOC)
    target_link_libraries(${target} PRIVATE PkgConfig::TCMALLOC)
  endif()
endfunction()
