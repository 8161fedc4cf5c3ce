# fuzz_events.cmake — libFuzzer harnesses for the event path (tests/fuzz/): the capture reader
# and merger (fuzz_capture), the decoder and evt.* field extraction/rendering (fuzz_evt).
# Built only with -DFC_FUZZ=ON and clang:
#   cmake -S . -B build-fuzz -G Ninja -DFC_FUZZ=ON -DCMAKE_C_COMPILER=clang -DFC_TESTS=OFF
#   ninja -C build-fuzz fuzz_capture fuzz_evt
#   build-fuzz/fuzz_capture -max_total_time=60 tests/fuzz/corpus/capture
# fcruntime gets coverage instrumentation and AddressSanitizer/UBSan (propagated to everything
# that links it); the harnesses link libFuzzer's main.
option(FC_FUZZ "Build the libFuzzer harnesses (needs clang)" OFF)
if(FC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FC_FUZZ=ON needs clang: add -DCMAKE_C_COMPILER=clang")
  endif()
  set(FC_FUZZ_SAN -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(fcruntime PRIVATE -fsanitize=fuzzer-no-link ${FC_FUZZ_SAN})
  target_link_options(fcruntime INTERFACE -fsanitize=address,undefined)
  foreach(h fuzz_capture fuzz_evt)
    add_executable(${h} ${CMAKE_SOURCE_DIR}/tests/fuzz/${h}.c)
    target_link_libraries(${h} PRIVATE fcruntime)
    target_compile_options(${h} PRIVATE -fsanitize=fuzzer ${FC_FUZZ_SAN})
    target_link_options(${h} PRIVATE -fsanitize=fuzzer)
  endforeach()
endif()
