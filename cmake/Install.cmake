# Install.cmake - where `cmake --install` puts ledgerd, and the Debian package.
#
# Layout (prefix /usr/local by default, /usr in the .deb):
#   sbin/ledgerd, bin/ledgerctl
#   libexec/ledgerd/nightly-reconcile      (scripts/nightly-reconcile.sh)
#   lib/systemd/system/ledgerd.service     (systemd reads /usr/local/lib too)
#   lib/systemd/system/ledgerd-reconcile.{service,timer}
#   lib/sysusers.d/ledgerd.conf, lib/tmpfiles.d/ledgerd.conf
#   share/man/man{1,5,8}/..., share/bash-completion/completions/ledgerctl
#   share/doc/ledgerd/{README.md,OPERATING.md,ledgerd.conf.sample}
#   /etc/ledgerd/ledgerd.conf (absolute: the path the unit and the contract
#   name), written only when absent so that a reinstall keeps the operator's
#   edits; the .deb ships it as a conffile instead.
#
# The units name /usr/sbin/ledgerd and /usr/libexec/ledgerd/nightly-reconcile;
# at install time those are rewritten to the actual prefix, so a /usr/local
# install starts the right programs.
#
# `cpack -G DEB` (in the build directory) builds ledgerd_VERSION_ARCH.deb there, with
# maintainer scripts from cmake/deb/: postinst creates the user and state
# directory (systemd-sysusers, systemd-tmpfiles), prerm stops the service.
# DESTDIR staging (CPACK_SET_DESTDIR) is needed for the absolute /etc path.
include(GNUInstallDirs)

set(LEDGERD_CONFDIR /etc/ledgerd CACHE PATH
  "Directory of ledgerd.conf (absolute; the unit names /etc/ledgerd/ledgerd.conf)")
set(LEDGERD_STATEDIR /var/lib/ledgerd CACHE PATH
  "The ledger's directory in the installed configuration")
set(LEDGERD_UNITDIR lib/systemd/system CACHE STRING
  "systemd system unit directory, relative to the prefix or absolute")

install(TARGETS ledgerd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS ledgerctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The nightly export and reconciliation (systemd/ledgerd-reconcile.service).
install(PROGRAMS scripts/nightly-reconcile.sh
  DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/ledgerd RENAME nightly-reconcile)

# The installed configuration: conf/ledgerd.conf with absolute paths and the
# metrics endpoint commented out (off unless the operator turns it on).
set(_ld_conf_src ${CMAKE_SOURCE_DIR}/conf/ledgerd.conf)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_ld_conf_src})
file(READ ${_ld_conf_src} _ld_conf)
string(REGEX REPLACE "\n(cert|key|client_ca|checkpoint_key) = pki/"
  "\n\\1 = ${LEDGERD_CONFDIR}/pki/" _ld_conf "${_ld_conf}")
string(REGEX REPLACE "\npath = ledger( +#)" "\npath = ${LEDGERD_STATEDIR}\\1"
  _ld_conf "${_ld_conf}")
string(REGEX REPLACE "\n\\[metrics\\]([^\n]*)\nlisten = ([^\n]*)"
  "\n#[metrics]\\1\n#listen = \\2" _ld_conf "${_ld_conf}")
file(WRITE ${CMAKE_BINARY_DIR}/ledgerd.conf.installed
"# Installed by ledgerd ${PROJECT_VERSION}: edit it, then check it with
#   ledgerd -c ${LEDGERD_CONFDIR}/ledgerd.conf --check
# Certificates and keys go in ${LEDGERD_CONFDIR}/pki/ (keys mode 0600, owned
# by the user ledgerd); the ledger lives in ${LEDGERD_STATEDIR}.  See
# ledgerd.conf(5), ledgerd(8) and OPERATING.md in share/doc/ledgerd.
#
${_ld_conf}")

install(FILES ${CMAKE_BINARY_DIR}/ledgerd.conf.installed
  DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME ledgerd.conf.sample)
install(FILES README.md docs/OPERATING.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
  OPTIONAL)
install(CODE "
  set(_dst \"\$ENV{DESTDIR}${LEDGERD_CONFDIR}/ledgerd.conf\")
  if(EXISTS \"\${_dst}\")
    message(STATUS \"Keeping: \${_dst}\")
  else()
    # file(INSTALL) adds DESTDIR to an absolute destination itself.
    file(INSTALL DESTINATION \"${LEDGERD_CONFDIR}\"
      TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
      RENAME ledgerd.conf FILES \"${CMAKE_BINARY_DIR}/ledgerd.conf.installed\")
  endif()
")

# systemd: the units with the real program paths, sysusers.d and tmpfiles.d.
install(CODE "
  if(IS_ABSOLUTE \"${LEDGERD_UNITDIR}\")
    set(_dir \"\$ENV{DESTDIR}${LEDGERD_UNITDIR}\")
  else()
    set(_dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${LEDGERD_UNITDIR}\")
  endif()
  file(MAKE_DIRECTORY \"\${_dir}\")
  foreach(_u ledgerd.service ledgerd-reconcile.service ledgerd-reconcile.timer)
    file(READ \"${CMAKE_SOURCE_DIR}/systemd/\${_u}\" _unit)
    string(REPLACE \"/usr/sbin/ledgerd \"
      \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/ledgerd \" _unit \"\${_unit}\")
    string(REPLACE \"/usr/libexec/ledgerd/\"
      \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBEXECDIR}/ledgerd/\" _unit \"\${_unit}\")
    string(REPLACE \"file:/usr/share/doc/ledgerd/\"
      \"file:\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}/\" _unit \"\${_unit}\")
    message(STATUS \"Installing: \${_dir}/\${_u}\")
    file(WRITE \"\${_dir}/\${_u}\" \"\${_unit}\")
  endforeach()
")
install(FILES systemd/ledgerd.sysusers DESTINATION lib/sysusers.d
  RENAME ledgerd.conf)
install(FILES systemd/ledgerd.tmpfiles DESTINATION lib/tmpfiles.d
  RENAME ledgerd.conf)

install(FILES man/ledgerctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES man/ledgerd.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES man/ledgerd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES completion/ledgerctl.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME ledgerctl)

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ledgerd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ledgerd maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "tamper-evident grant-disbursement ledger daemon and client")
set(CPACK_PACKAGE_DESCRIPTION
"ledgerd records appropriations, awards, disbursements and refunds of
regional innovation grants in an append-only LMDB ledger under an RFC 6962
Merkle tree, and serves them over mutually authenticated TLS 1.3.
ledgerctl is its command-line client.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)	# the prefix under DESTDIR staging
set(CPACK_SET_DESTDIR ON)
find_program(LEDGERD_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(LEDGERD_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, liblmdb0, libevent-2.1-7, \
libevent-openssl-2.1-7, libevent-pthreads-2.1-7, libssl3, libjansson4, \
libsystemd0")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS systemd)
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles "${LEDGERD_CONFDIR}/ledgerd.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/cmake/deb/postinst
  ${CMAKE_SOURCE_DIR}/cmake/deb/prerm
  ${CMAKE_SOURCE_DIR}/cmake/deb/postrm
  ${CMAKE_BINARY_DIR}/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
