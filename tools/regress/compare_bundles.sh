#!/bin/sh
# Compiles every named test (vectors/*.yaml) and every network (vectors/networks/*.yaml) on tiny
# and fsd with two nnac binaries and compares the bundle folders, nnac's output and exit status
# byte for byte: a refactoring of the compiler must change none of them.
#   tools/regress/compare_bundles.sh BASE_NNAC NEW_NNAC OUT_DIR [VECTORS_DIR]
set -u
base=$1 new=$2 out=$3
vectors=${4:-$(dirname "$0")/../../vectors}
rm -rf "$out" && mkdir -p "$out/base" "$out/new"
run() {  # run <side> <nnac> <config> <kind> <name>
  dir="$out/$1/$3/$4_$5"
  mkdir -p "$dir"
  "$2" --"$4" "$5" --config "$3" --vectors "$vectors" --out "$dir/bundle" >"$dir/stdout" 2>"$dir/stderr"
  echo $? >"$dir/status"
  sed -i "s|$out/$1/|OUT/|g" "$dir/stdout" "$dir/stderr"  # the folder names differ, nothing else may
}
count=0
for cfg in tiny fsd; do
  for f in "$vectors"/*.yaml; do
    name=$(basename "$f" .yaml)
    run base "$base" $cfg test "$name"; run new "$new" $cfg test "$name"
    count=$((count + 1))
  done
  for f in "$vectors"/networks/*.yaml; do
    name=$(basename "$f" .yaml)
    run base "$base" $cfg network "$name"; run new "$new" $cfg network "$name"
    count=$((count + 1))
  done
done
if diff -r "$out/base" "$out/new" >"$out/diff.txt"; then
  echo "identical: $count compilations (bundles, output, status) on tiny and fsd"
else
  echo "DIFFERENT: see $out/diff.txt"; head -20 "$out/diff.txt"; exit 1
fi
