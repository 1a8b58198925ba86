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
if [ "${#need[@]}" -gt 0 ]; then
  echo "host-deps: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "host-deps: need root (or sudo) to install ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
