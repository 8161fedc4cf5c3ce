# Cross build for ARM64 nodes on an x86_64 Debian 12 host (issue 7):
#   dpkg --add-architecture arm64; apt-get install gcc-aarch64-linux-gnu libyaml-dev:arm64 ...
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
# Libraries come from Debian's arm64 multiarch -dev packages (the sysroot is the host's /,
# arm64 files under /usr/lib/aarch64-linux-gnu); test binaries run under qemu-aarch64-static
# through CMAKE_CROSSCOMPILING_EMULATOR, so `ctest` works unchanged.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config must see only the arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(FC_ARCH aarch64 CACHE STRING "target architecture" FORCE)
