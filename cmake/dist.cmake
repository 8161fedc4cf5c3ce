# cmake/dist.cmake — `ninja dist`: the release tarball and Debian package of this build's arch
# (scripts/dist --pack), written to <build>/dist/. `scripts/dist` builds and packs both arches
# from scratch instead (and --verify checks that a second build gives the same bytes).
if(TARGET falcod)
  if(FC_ARCH)
    set(fc_dist_arch ${FC_ARCH})
  else()
    set(fc_dist_arch ${CMAKE_SYSTEM_PROCESSOR})
  endif()
  add_custom_target(dist
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/dist --pack ${CMAKE_BINARY_DIR} ${fc_dist_arch}
            --out ${CMAKE_BINARY_DIR}/dist
    DEPENDS falcoc falcod
    COMMENT "dist: falcod tarball and .deb for ${fc_dist_arch}"
    USES_TERMINAL VERBATIM)
endif()
