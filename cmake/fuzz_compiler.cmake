# fuzz_compiler.cmake — libFuzzer harnesses for the front end and the state engine (issue 9):
# fuzz_condition (condition grammar + compile pipeline), fuzz_yaml (whole front end on rules
# files), fuzz_output (output format strings), fuzz_state (events → merger → state engine →
# every catalog field), fuzz_ctrmeta (container metadata file and JSON events), fuzz_config
# (falcod.yaml and -o overrides), fuzz_backend
# (rules → back end → verifier → VM, against the reference evaluator), plus fuzz_state_corpus,
# the seed generator of fuzz_state. Built only with -DFC_FUZZ=ON and clang; cmake/fuzz.cmake
# instruments the whole build (ASan + UBSan + coverage), this file adds the executables. Included after fccompiler is defined.
#   CC=clang cmake -S . -B build-fuzz -G Ninja -DFC_FUZZ=ON -DFC_TESTS=OFF
#   ninja -C build-fuzz fuzz_yaml && build-fuzz/fuzz_yaml -max_total_time=60 tests/fuzz/corpus/yaml
# scripts/fuzz builds and runs every harness with its corpus and dictionary.
if(FC_FUZZ)
  set(FC_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  foreach(h fuzz_condition fuzz_yaml fuzz_output fuzz_state fuzz_ctrmeta fuzz_config)
    add_executable(${h} ${CMAKE_SOURCE_DIR}/tests/fuzz/${h}.c)
    target_link_libraries(${h} PRIVATE fccompiler fcruntime)
    target_compile_options(${h} PRIVATE -fsanitize=fuzzer ${FC_FUZZ_FLAGS})
    target_link_options(${h} PRIVATE -fsanitize=fuzzer ${FC_FUZZ_FLAGS})
    target_compile_definitions(${h} PRIVATE FC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  endforeach()
  # fuzz_backend compares the VM with the reference evaluator of tests/ref (as test_diff does).
  file(GLOB FC_FUZZ_REF_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/ref/*.c)
  add_executable(fuzz_backend ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_backend.c ${FC_FUZZ_REF_SRC})
  target_include_directories(fuzz_backend PRIVATE ${CMAKE_SOURCE_DIR}/tests/ref)
  target_link_libraries(fuzz_backend PRIVATE fccompiler fcruntime)
  target_compile_options(fuzz_backend PRIVATE -fsanitize=fuzzer ${FC_FUZZ_FLAGS})
  target_link_options(fuzz_backend PRIVATE -fsanitize=fuzzer ${FC_FUZZ_FLAGS})
  add_executable(fuzz_state_corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/gen_state_corpus.c)
  target_link_libraries(fuzz_state_corpus PRIVATE fcruntime)
  target_link_options(fuzz_state_corpus PRIVATE ${FC_FUZZ_FLAGS})
endif()
