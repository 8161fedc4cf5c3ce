# bpf/bpf.cmake — builds the eBPF probe and embeds it in fcruntime (included from CMakeLists.txt).
#
#   kernel BTF --bpftool btf dump--> <build>/bpf/<arch>/vmlinux.h
#   bpf/probe.bpf.c --clang -target bpf--> probe.bpf.o --bpftool gen skeleton--> probe.skel.h
#   runtime/probe.c includes probe.skel.h (the object is embedded: nothing to install)
#
# Everything generated lives in the build directory. FC_BPF_ARCH picks the target (x86_64 or
# aarch64; default: the host); FC_VMLINUX_BTF the BTF the vmlinux.h comes from (default: the
# running kernel's /sys/kernel/btf/vmlinux, which only fits a native build — a cross build for
# aarch64 passes the BTF of an arm64 kernel, e.g. extracted with `bpftool btf dump` on a node or
# taken from /sys/kernel/btf/vmlinux there). CO-RE makes the object independent of the exact
# kernel it was built against. Without clang, bpftool or libbpf the probe is left out: runtime/
# probe.c then builds its "probe not built" path and fc_probe_open says so.

if(NOT FC_BPF_ARCH AND FC_ARCH)
  set(FC_BPF_ARCH ${FC_ARCH})
endif()
if(NOT FC_BPF_ARCH)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(FC_BPF_ARCH x86_64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
    set(FC_BPF_ARCH aarch64)
  endif()
endif()
set(FC_BPF_ARCH "${FC_BPF_ARCH}" CACHE STRING "Target arch of the eBPF probe: x86_64 or aarch64")
set(FC_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "Kernel BTF used to generate vmlinux.h")

if(FC_BPF_ARCH STREQUAL "x86_64")
  set(fc_bpf_target_arch x86)
elseif(FC_BPF_ARCH STREQUAL "aarch64")
  set(fc_bpf_target_arch arm64)
else()
  message(WARNING "eBPF probe: unsupported FC_BPF_ARCH '${FC_BPF_ARCH}'; building without it")
  return()
endif()

# The running kernel's BTF describes the build host, not a cross target.
if(CMAKE_CROSSCOMPILING AND FC_VMLINUX_BTF STREQUAL "/sys/kernel/btf/vmlinux")
  message(WARNING "eBPF probe not built for ${FC_BPF_ARCH}: a cross build needs "
                  "-DFC_VMLINUX_BTF=<BTF of a ${FC_BPF_ARCH} kernel>")
  return()
endif()

find_program(FC_CLANG NAMES clang clang-16 clang-15 clang-14)
find_program(FC_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin /usr/local/sbin)
find_program(FC_LLVM_STRIP NAMES llvm-strip llvm-strip-16 llvm-strip-15 llvm-strip-14)
pkg_check_modules(LIBBPF IMPORTED_TARGET libbpf>=1.0)
if(NOT FC_CLANG OR NOT FC_BPFTOOL OR NOT LIBBPF_FOUND OR NOT EXISTS "${FC_VMLINUX_BTF}")
  message(WARNING "eBPF probe not built: needs clang, bpftool, libbpf >= 1.0 (scripts/deps) and "
                  "kernel BTF at '${FC_VMLINUX_BTF}' (set FC_VMLINUX_BTF)")
  return()
endif()

set(fc_bpf_out ${CMAKE_BINARY_DIR}/bpf/${FC_BPF_ARCH})
file(MAKE_DIRECTORY ${fc_bpf_out})

add_custom_command(OUTPUT ${fc_bpf_out}/vmlinux.h
  COMMAND sh -c "'${FC_BPFTOOL}' btf dump file '${FC_VMLINUX_BTF}' format c > vmlinux.h.tmp && mv vmlinux.h.tmp vmlinux.h"
  WORKING_DIRECTORY ${fc_bpf_out}
  DEPENDS ${FC_VMLINUX_BTF}
  COMMENT "eBPF probe: vmlinux.h for ${FC_BPF_ARCH} from ${FC_VMLINUX_BTF}" VERBATIM)

file(GLOB fc_bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.h
  ${CMAKE_SOURCE_DIR}/arch/${FC_BPF_ARCH}/*.h)
set(fc_bpf_strip_cmd true)
if(FC_LLVM_STRIP)
  # DWARF is not needed at run time (BTF and CO-RE relocations stay): a smaller embedded object.
  set(fc_bpf_strip_cmd ${FC_LLVM_STRIP} -g probe.bpf.o)
endif()
add_custom_command(OUTPUT ${fc_bpf_out}/probe.bpf.o
  COMMAND ${FC_CLANG} -target bpf -mcpu=v3 -O2 -g -D__TARGET_ARCH_${fc_bpf_target_arch}
          -Wall -Werror -Wno-unused-function
          -ffile-prefix-map=${CMAKE_SOURCE_DIR}=. -ffile-prefix-map=${CMAKE_BINARY_DIR}=build
          -I${fc_bpf_out} -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/arch
          -I${CMAKE_SOURCE_DIR}/runtime
          -c ${CMAKE_SOURCE_DIR}/bpf/probe.bpf.c -o probe.bpf.o
  COMMAND ${fc_bpf_strip_cmd}
  WORKING_DIRECTORY ${fc_bpf_out}
  DEPENDS ${CMAKE_SOURCE_DIR}/bpf/probe.bpf.c ${fc_bpf_headers} ${fc_bpf_out}/vmlinux.h
          ${CMAKE_SOURCE_DIR}/runtime/events.def
  COMMENT "eBPF probe: compiling probe.bpf.c (${FC_BPF_ARCH})" VERBATIM)

add_custom_command(OUTPUT ${fc_bpf_out}/probe.skel.h
  COMMAND sh -c "'${FC_BPFTOOL}' gen skeleton probe.bpf.o name probe_bpf > probe.skel.h.tmp && mv probe.skel.h.tmp probe.skel.h"
  WORKING_DIRECTORY ${fc_bpf_out}
  DEPENDS ${fc_bpf_out}/probe.bpf.o
  COMMENT "eBPF probe: skeleton" VERBATIM)

add_custom_target(fc_probe_skel DEPENDS ${fc_bpf_out}/probe.skel.h)
add_dependencies(fcruntime fc_probe_skel)
target_include_directories(fcruntime PRIVATE ${fc_bpf_out} ${CMAKE_SOURCE_DIR}/bpf)
target_compile_definitions(fcruntime PRIVATE FC_HAVE_PROBE=1)
target_link_libraries(fcruntime PUBLIC PkgConfig::LIBBPF)
set_source_files_properties(${CMAKE_SOURCE_DIR}/runtime/probe.c PROPERTIES
  OBJECT_DEPENDS ${fc_bpf_out}/probe.skel.h)
message(STATUS "eBPF probe: ${FC_BPF_ARCH}, BTF ${FC_VMLINUX_BTF}")
