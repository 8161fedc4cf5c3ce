# Cross build for ARM64 nodes on an x86_64 Debian 12 host (issue 7):
#   scripts/deps-aarch64 build-aarch64/a64root     (packages, unpacked criterion, binfmt_misc)
#   cmake -S . -B build-aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         -DFC_AARCH64_EXTRA=$PWD/build-aarch64/a64root
# scripts/test-aarch64 does all of it. Libraries come from Debian's arm64 multiarch -dev packages
# (the sysroot is the host's /, arm64 files under /usr/lib/aarch64-linux-gnu); criterion's arm64
# closure cannot be installed beside the amd64 one, so it is unpacked into FC_AARCH64_EXTRA.
# Test binaries run under qemu-aarch64-static through CMAKE_CROSSCOMPILING_EMULATOR, so `ctest`
# works unchanged.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(FC_AARCH64_EXTRA "" CACHE PATH "unpacked arm64 packages (scripts/deps-aarch64), optional")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FC_AARCH64_EXTRA)
# qemu runs with the host's / as guest root (-L /), so the dynamic loader is the multiarch
# libc6:arm64 one, the same build as the libc.so.6 that /etc/ld.so.cache resolves. Do NOT use
# -L /usr/aarch64-linux-gnu: that loader (libc6-arm64-cross) is a different glibc build than
# /lib/aarch64-linux-gnu/libc.so.6, ld.so and libc disagree on the private _rtld_global layout,
# and the first pthread_create spins forever walking a garbage stack-cache list (criterion's
# nanomsg thread: every test binary hung with all signals blocked).
set(_fc_emu qemu-aarch64-static -L /)
if(FC_AARCH64_EXTRA)
  list(APPEND _fc_emu -E LD_LIBRARY_PATH=${FC_AARCH64_EXTRA}/usr/lib/aarch64-linux-gnu)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${_fc_emu})
# pkg-config must see only the arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
if(FC_AARCH64_EXTRA)
  set(ENV{PKG_CONFIG_LIBDIR} "${FC_AARCH64_EXTRA}/fc-pkgconfig:$ENV{PKG_CONFIG_LIBDIR}")
endif()
set(ENV{PKG_CONFIG_PATH} "")
set(FC_ARCH aarch64 CACHE STRING "target architecture" FORCE)
