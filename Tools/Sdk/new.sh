#!/usr/bin/env bash
# new.sh SDK KIND NAME [DIR] [--of PROJECT-DIR]...: makes a project of KIND (sip, service, driver,
# contract, test) named NAME in DIR (default ./NAME) from the SDK's templates (docs/sdk.md).
# Called by `./sing new`. A test project names the projects it tests with --of: their sources
# are compiled into it for .NET (hosted), and it gets a first test for each.
set -euo pipefail
die() { echo "sing new: $*" >&2; exit 1; }
usage="usage: ./sing new sip|service|driver|contract|test NAME [DIR] [--of PROJECT-DIR]..."

SDK="$1"; shift
[ $# -ge 2 ] || die "$usage"
kind="$1"; name="$2"; shift 2
case "$kind" in
  sip|service|driver|contract|test) ;;
  *) die "unknown kind '$kind': the kinds are sip, service, driver, contract and test ($usage)" ;;
esac
[[ "$name" =~ ^[A-Za-z][A-Za-z0-9]{0,62}$ ]] \
  || die "bad name '$name': a name is a letter followed by letters and digits (at most 63), since it names a C# type and the SIP"
dir=""; of=()
while [ $# -gt 0 ]; do
  case "$1" in
    --of) [ $# -ge 2 ] || die "--of needs a project folder"; of+=("$2"); shift 2 ;;
    -*) die "unknown option '$1' ($usage)" ;;
    *) [ -z "$dir" ] || die "one folder only ('$dir' and '$1'); $usage"; dir="$1"; shift ;;
  esac
done
[ ${#of[@]} -eq 0 ] || [ "$kind" = test ] || die "--of is for test projects"
[ -n "$dir" ] || dir="./$name"
[ ! -e "$dir" ] || die "'$dir' already exists: choose a new folder (nothing was written)"
sipname=$(echo "$name" | tr 'A-Z' 'a-z')
tpl="$SDK/templates/$kind"
[ -d "$tpl" ] || die "the SDK at $SDK has no template '$kind' (make it again with ./sing sdk)"

# What each --of project is: its kind and name, from the SingTemplate property its template wrote.
hosted=""; parts=()
for p in "${of[@]}"; do
  [ -d "$p" ] || die "--of '$p' is not a folder"
  proj=$(ls "$p"/*.csproj 2>/dev/null | head -1)
  [ -n "$proj" ] || die "--of '$p' holds no project (.csproj)"
  pkind=$(sed -n 's:.*<SingTemplate>\(.*\)</SingTemplate>.*:\1:p' "$proj" | head -1)
  pname=$(basename "$proj" .csproj)
  rel=$(realpath -m --relative-to="$dir" "$p")
  hosted+="    <HostedSource Include=\"$rel\" />"$'\n'
  # Built before the tests (not referenced: it is compiled here for .NET), so its image is current.
  hosted+="    <ProjectReference Include=\"$rel/$pname.csproj\" ReferenceOutputAssembly=\"false\" />"$'\n'
  case "$pkind" in
    contract|service|sip) parts+=("$pkind:$pname") ;;
    *) echo "sing new: '$p' ($pkind) is compiled into the test, with no first test for it" >&2 ;;
  esac
done

mkdir -p "$dir"
subst() {
  local lower_t="$4"
  sed -e "s|__NAME__|$name|g" -e "s|__SIPNAME__|$sipname|g" -e "s|__SDK__|$SDK|g" -e "s|__KIND__|$kind|g" \
      -e "s|__T__|$3|g" -e "s|__t__|$lower_t|g" "$1" > "$2"
}
for f in "$tpl"/*; do
  base=$(basename "$f")
  case "$base" in parts) continue ;; esac
  out="$dir/${base//__NAME__/$name}"
  subst "$f" "$out" "" ""
done
if [ "$kind" = test ]; then
  proj="$dir/$name.csproj"
  awk -v h="$hosted" '{ if ($0 == "__HOSTED__  </ItemGroup>") { printf "%s  </ItemGroup>\n", h } else print }' "$proj" > "$proj.tmp" && mv "$proj.tmp" "$proj"
  tests="$dir/${name}.cs"
  subst "$tpl/parts/head.cs" "$tests" "" ""
  for part in "${parts[@]}"; do
    pk="${part%%:*}"; pn="${part#*:}"
    subst "$tpl/parts/$pk.cs" "$tests.part" "$pn" "$(echo "$pn" | tr 'A-Z' 'a-z')"
    cat "$tests.part" >> "$tests"; rm -f "$tests.part"
  done
  echo "}" >> "$tests"
fi
rm -rf "$dir/parts"
echo "sing new: made $kind '$name' in $dir"
