# fuzz_replay.cmake — the libFuzzer harnesses (tests/fuzz/fuzz_*.c) built into the ordinary
# test builds with tests/fuzz/replay.c as their main(), one ctest case per harness
# (fuzz_replay_NAME) that runs every committed seed (tests/fuzz/corpus/NAME) and every crash
# reproducer (tests/fuzz/regress/NAME, where `scripts/fuzz --ci` copies what it finds) through
# the harness: the ASan suite so replays each finding under the sanitizers on every CI run.
# Included from CMakeLists.txt after the libraries; only with FC_TESTS and without FC_FUZZ
# (the fuzzing build has the real libFuzzer mains).
if(FC_TESTS AND NOT FC_FUZZ)
  file(GLOB FC_FUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
  foreach(src ${FC_FUZZ_HARNESSES})
    get_filename_component(h ${src} NAME_WE)
    string(REGEX REPLACE "^fuzz_" "" n ${h})
    add_executable(replay_${n} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
    # fcref: the reference evaluator fuzz_backend compares with (links fccompiler + fcruntime)
    target_link_libraries(replay_${n} PRIVATE fcref fccompiler fcruntime)
    target_include_directories(replay_${n} PRIVATE ${CMAKE_SOURCE_DIR}/tests/ref ${CMAKE_SOURCE_DIR}/tests/unit)
    target_compile_definitions(replay_${n} PRIVATE FC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    add_test(NAME fuzz_replay_${n} COMMAND replay_${n} ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${n}
             ${CMAKE_SOURCE_DIR}/tests/fuzz/regress/${n})
    set_tests_properties(fuzz_replay_${n} PROPERTIES TIMEOUT 600
      ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  endforeach()
endif()
