#!/usr/bin/env bash
# make-sdk.sh ROOT OUT: lays out the Singularity SDK (docs/sdk.md) from a built tree ROOT into the
# folder OUT: what a project outside the tree needs to build SIPs, SIP libraries, contracts and
# tests, and to boot them. Called by `./sing sdk` after `./sing build`.
set -euo pipefail
ROOT="$1"; OUT="$2"
REL=bin/Release
die() { echo "sing sdk: $*" >&2; exit 1; }
need() { [ -e "$1" ] || die "missing $1 (did ./sing build succeed?)"; }

tmp="$OUT.new"
rm -rf "$tmp"
mkdir -p "$tmp"/{lib,runtime,boot,analyzers,verifier,hosted,kernel,sips,templates,docs/diagnostics}

# MSBuild entry points (Sip, Library, Test) and the files the tree shares with them.
cp "$ROOT"/Tools/Sdk/build/*.props "$ROOT"/Tools/Sdk/build/*.targets "$tmp/"
cp "$ROOT/Kernel/NoStdLib.props" "$ROOT/SIPs/SipImage.targets" "$ROOT/Libraries/LibraryVerify.targets" "$tmp/"

# The assemblies SIP code compiles against and ilc compiles with it (with their XML docs).
for f in "Kernel/Corlib/$REL/net10.0/Singularity.Corlib" "Kernel/SipRuntime/$REL/net10.0/Singularity.Runtime"; do
  need "$ROOT/$f.dll"; cp "$ROOT/$f.dll" "$tmp/lib/"; [ -f "$ROOT/$f.xml" ] && cp "$ROOT/$f.xml" "$tmp/lib/"
done
for f in "Contracts/$REL/net10.0/Singularity.Contracts" "Libraries/Console/$REL/net10.0/Singularity.Console" "Libraries/Text/$REL/net10.0/Singularity.Text"; do
  need "$ROOT/$f.dll"; cp "$ROOT/$f.dll" "$tmp/lib/"
done

# The runtime's native half and the SIP linker script.
ls "$ROOT"/artifacts/obj/sipruntime/*.o >/dev/null 2>&1 || die "missing the runtime's objects in artifacts/obj/sipruntime"
cp "$ROOT"/artifacts/obj/sipruntime/*.o "$tmp/runtime/"
cp "$ROOT/Boot/sip.ld" "$tmp/boot/"

# The checkers: the SING analyzer, the contract generator, the verifier.
need "$ROOT/Compiler/Analyzers/$REL/netstandard2.0/Singularity.Analyzers.dll"
cp "$ROOT/Compiler/Analyzers/$REL/netstandard2.0/Singularity.Analyzers.dll" "$tmp/analyzers/"
need "$ROOT/Compiler/ContractGenerator/$REL/netstandard2.0/Singularity.ContractGenerator.dll"
cp "$ROOT/Compiler/ContractGenerator/$REL/netstandard2.0/Singularity.ContractGenerator.dll" "$tmp/analyzers/"
need "$ROOT/Verifier/Verifier.Cli/$REL/net10.0/sing-verify.dll"
cp "$ROOT/Verifier/Verifier.Cli/$REL/net10.0/"*.dll "$ROOT/Verifier/Verifier.Cli/$REL/net10.0/"*.json "$tmp/verifier/"

# Hosted tests: the in-memory channel runtime, the hosted SIP API (with the system's contracts
# and the console client, for .NET), and the QEMU harness.
for f in Singularity.Channels.Hosted Singularity.Hosted Singularity.Testing; do
  need "$ROOT/Tests/$f/$REL/net10.0/$f.dll"; cp "$ROOT/Tests/$f/$REL/net10.0/$f.dll" "$tmp/hosted/"
done

# The system: both kernel images and the system's SIPs (not the test suites' SIPs).
for k in kernel.elf kernel-test.elf; do need "$ROOT/artifacts/kernel/$k"; cp "$ROOT/artifacts/kernel/$k" "$tmp/kernel/"; done
for s in console shell supervisor hello; do
  need "$ROOT/artifacts/sips/$s.elf"; cp "$ROOT/artifacts/sips/$s.elf" "$tmp/sips/"
  [ -f "$ROOT/artifacts/sips/$s.manifest.json" ] && cp "$ROOT/artifacts/sips/$s.manifest.json" "$tmp/sips/"
done

# Templates (./sing new) and the docs a user needs, with every diagnostic's page.
cp -r "$ROOT/Tools/Sdk/templates/." "$tmp/templates/"
cp "$ROOT"/docs/diagnostics/*.md "$tmp/docs/diagnostics/"
for d in sdk.md sip-api.md tutorial.md sips.md channels.md contracts.md analyzer.md verifier.md fault-isolation.md; do
  [ -f "$ROOT/docs/$d" ] && cp "$ROOT/docs/$d" "$tmp/docs/"
done

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
printf '{\n  "sdk": "singularity",\n  "commit": "%s",\n  "source": "%s",\n  "ilc": "10.0.14"\n}\n' "$commit" "$ROOT" > "$tmp/sdk.json"

rm -rf "$OUT"
mv "$tmp" "$OUT"
