#!/usr/bin/env bash
# make-iso.sh KERNEL_ELF OUT_ISO [kernel options...]
# Builds a BIOS-bootable GRUB ISO around the multiboot kernel (the path to real hardware).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: make-iso.sh KERNEL_ELF OUT_ISO [kernel options...]" >&2; exit 2; }
kernel="$1"; out="$2"; shift 2
[ -f "$kernel" ] || { echo "make-iso.sh: no kernel at $kernel" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stage="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/kernel.elf"
args="$*"
sed "s|@KERNEL_ARGS@|${args//|/\\|}|" "$here/grub.cfg" > "$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
# The log must live outside the staged tree: xorriso packs everything in it.
if ! grub-mkrescue -o "$out" "$stage" > "$log" 2>&1; then
  cat "$log" >&2
  echo "make-iso.sh: grub-mkrescue failed (needs grub-pc-bin, xorriso and mtools)" >&2
  exit 1
fi
