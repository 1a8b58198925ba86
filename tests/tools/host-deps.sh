#!/usr/bin/env bash
# Host packages the lab needs (QEMU, debootstrap, ...): installed through apt when missing.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v ssh >/dev/null || need+=(openssh-client)
command -v rsync >/dev/null || need+=(rsync)
command -v sfdisk >/dev/null || need+=(fdisk)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
# The lab's backup server: the host's OpenSSH in SFTP-only mode, run per connection (sshd -i) by
# QEMU's guestfwd; it never listens on a port.
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# The metrics tests: node_exporter's own parser reads the nodes' textfiles (on 127.0.0.1, started by
# the test); promtool tests the example alert rules (make alerts). Neither runs as a service.
command -v prometheus-node-exporter >/dev/null || need+=(prometheus-node-exporter)
command -v promtool >/dev/null || need+=(prometheus)
if [ "${#need[@]}" -gt 0 ]; then
  echo "host-deps: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "host-deps: need root (or sudo) to install ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  # No service may start on the host as a side effect (openssh-server would start a listening sshd).
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; trap 'rm -f "$policy"' EXIT; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
