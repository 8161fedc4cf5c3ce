# Benchmarks built with -DFC_BENCH=ON (Release recommended):
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFC_BENCH=ON -DFC_TESTS=OFF
option(FC_BENCH "Build the micro-benchmarks under benchmarks/" OFF)
if(FC_BENCH)
  # VM leaf cost: ns per leaf over a capture, the libsinsp peer's method (benchmarks/vm/vm_leaf.c).
  add_executable(vm_leaf ${CMAKE_SOURCE_DIR}/benchmarks/vm/vm_leaf.c)
  target_link_libraries(vm_leaf PRIVATE fccompiler fcruntime)
  # Whole default ruleset over a realistic event mix: state, state+VM, VM alone
  # (benchmarks/vm/vm_mix.c); links the compiler for the embedded ruleset.
  add_executable(vm_mix ${CMAKE_SOURCE_DIR}/benchmarks/vm/vm_mix.c ${CMAKE_BINARY_DIR}/default_rules.c)
  target_link_libraries(vm_mix PRIVATE fccompiler fcruntime)
endif()
if(FC_BENCH)
  # Kernel pre-filter: probe CPU cost per openat with the predicate programs on and off, and an
  # unselected syscall (benchmarks/kernel/kfilter_bench.c; needs root).
  add_executable(kfilter_bench ${CMAKE_SOURCE_DIR}/benchmarks/kernel/kfilter_bench.c)
  target_link_libraries(kfilter_bench PRIVATE fccompiler fcruntime pthread)
endif()
if(FC_BENCH)
  # Memory suite captures: THREADS forked processes with FDS_PER_THREAD open fds each
  # (benchmarks/mem/mkstate.c).
  add_executable(mkstate ${CMAKE_SOURCE_DIR}/benchmarks/mem/mkstate.c)
  target_link_libraries(mkstate PRIVATE fcruntime)
endif()
