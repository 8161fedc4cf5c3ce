# Fuzzing (-DFC_FUZZ=ON, clang only): libFuzzer harnesses under tests/fuzz/, with the whole
# build instrumented (ASan + UBSan + fuzzer coverage). Included from CMakeLists.txt before the
# libraries are defined, so the compile options reach every target.
#   CC=clang cmake -S . -B build-fuzz -G Ninja -DFC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   ninja -C build-fuzz fuzz_bundle && build-fuzz/fuzz_bundle -max_total_time=60 tests/fuzz/corpus/bundle
if(FC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FC_FUZZ needs clang (CC=clang): libFuzzer is part of clang")
  endif()
  add_compile_options(-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  add_executable(fuzz_bundle ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_bundle.c)
  target_link_libraries(fuzz_bundle PRIVATE fcruntime)
  target_link_options(fuzz_bundle PRIVATE -fsanitize=fuzzer)
  # The seed corpus generator (run once; its output is committed under tests/fuzz/corpus/).
  add_executable(fuzz_bundle_corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/gen_corpus.c)
  target_include_directories(fuzz_bundle_corpus PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  target_link_libraries(fuzz_bundle_corpus PRIVATE fcruntime)
endif()
