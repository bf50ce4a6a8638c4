#!/usr/bin/env bash
# Builds the kernel's symbol table from ilc's map file (every compiled method's symbol and code
# length), as an assembly file whose addresses the linker fills in, so one link suffices.
# Layout (section .ksyms), read by Diagnostics/Symbols.cs:
#   ksyms_count: dq N
#   ksyms_table: N x { dq address, dq length, dq name_pointer }
#   names:       NUL-terminated strings
set -euo pipefail
map="$1"; out="$2"
mapfile -t rows < <(grep -o '<MethodCode Name="[^"]*" Length="[0-9]*"' "$map" \
  | sed -E 's/<MethodCode Name="([^"]*)" Length="([0-9]*)"/\1 \2/' \
  | grep -E '^[A-Za-z_][A-Za-z0-9_$.@?]* [0-9]+$' | sort -u)
# (Generic instantiations, whose names hold '<' and '>', cannot be named in nasm: they are left
# out and show as the nearest preceding method.)
{
  echo "section .ksyms progbits alloc noexec nowrite align=8"
  echo "global ksyms_count, ksyms_table"
  for r in "${rows[@]}"; do echo "extern ${r% *}"; done
  echo "ksyms_count: dq ${#rows[@]}"
  echo "ksyms_table:"
  i=0
  for r in "${rows[@]}"; do echo "  dq ${r% *}, ${r#* }, ksym_name_$i"; i=$((i+1)); done
  i=0
  for r in "${rows[@]}"; do echo "ksym_name_$i: db \"${r% *}\", 0"; i=$((i+1)); done
} > "$out"
