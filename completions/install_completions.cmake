# Run by `cmake --install`: installs the zsh and fish completions where each shell looks by
# default for CMAKE_INSTALL_PREFIX, the prefix of this install (which --prefix may change after
# configuring). Checked against the shells' own default paths by tests/cli/test_install.py.
#
#   prefix        zsh                              fish
#   /usr          share/zsh/vendor-completions     share/fish/vendor_completions.d
#   /usr/local    share/zsh/site-functions         /etc/fish/completions (fish reads no
#                                                  directory of /usr/local unless XDG_DATA_DIRS
#                                                  names /usr/local/share)
#   other         share/zsh/site-functions         share/fish/vendor_completions.d (found with
#                                                  PREFIX/share in XDG_DATA_DIRS)
# zsh's own prefix is searched at share/zsh/site-functions; Debian's zsh, built for /usr, adds
# vendor-completions for packages and /usr/local/share/zsh/site-functions for local installs.
set(_prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" _prefix "${_prefix}")

set(_zsh_dir "${SIPCRED_ZSH_COMPLETIONS_DIR}")
if(NOT _zsh_dir)
  if(_prefix STREQUAL "/usr")
    set(_zsh_dir "${SIPCRED_DATADIR}/zsh/vendor-completions")
  else()
    set(_zsh_dir "${SIPCRED_DATADIR}/zsh/site-functions")
  endif()
endif()

set(_fish_dir "${SIPCRED_FISH_COMPLETIONS_DIR}")
if(NOT _fish_dir)
  if(_prefix STREQUAL "/usr/local")
    set(_fish_dir "/etc/fish/completions")
  else()
    set(_fish_dir "${SIPCRED_DATADIR}/fish/vendor_completions.d")
  endif()
endif()

foreach(_kind zsh fish)
  set(_dir "${_${_kind}_dir}")
  if(NOT IS_ABSOLUTE "${_dir}")
    set(_dir "${CMAKE_INSTALL_PREFIX}/${_dir}")
  endif()
  string(TOUPPER "${_kind}" _upper)
  # file(INSTALL) adds DESTDIR and records the files in install_manifest.txt.
  file(INSTALL DESTINATION "${_dir}" TYPE FILE FILES ${SIPCRED_${_upper}_FILES})
endforeach()
