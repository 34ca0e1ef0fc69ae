#!/usr/bin/env bash
# Hash-set benchmark (issue 5): import of a 10-million-line md5sum list and lookups, side by side with
# The Sleuth Kit's hfind (index build with `hfind -i md5sum`, lookups with `hfind -f`).
#
#   bench/bench-hashset.sh [--lines N] [--queries M] [--runs R]
#
# The list (bench/out/hashset/list-N.md5, line i = the MD5 of the decimal text of i) is generated
# deterministically by build/bin/ferret-bench-lookup the first time. Prints the best wall time of R runs
# (default 2) and the peak RSS of each step, then checks them against the targets.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lines=10000000
queries=10000000
cli_queries=1000000
runs=2
while (($#)); do
  case $1 in
    --lines) lines=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--lines N] [--queries M] [--runs R]" >&2; exit 1 ;;
  esac
done
out=$here/out/hashset
mkdir -p "$out"
tool=$root/build/bin/ferret-hashset
driver=$root/build/bin/ferret-bench-lookup
[[ -x $tool && -x $driver ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
for t in hfind /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t: scripts/install-deps.sh --bench" >&2; exit 1; }
done
cores=$(nproc)

list=$out/list-$lines.md5
if [[ ! -f $list ]]; then
  echo "bench-hashset: generating $list" >&2
  /usr/bin/time -f '%e' -o "$list.seconds" "$driver" generate "$lines" "$list.part"
  mv "$list.part" "$list"
fi
gen_secs=$(cat "$list.seconds" 2>/dev/null || echo -)
(( cli_queries > queries )) && cli_queries=$queries
queryfile=$out/queries-$lines-$cli_queries.txt
[[ -f $queryfile ]] || "$driver" queries "$lines" "$cli_queries" "$queryfile" >/dev/null
cat "$list" "$queryfile" >/dev/null  # page cache

# measure LABEL CMD...: best wall seconds and max RSS (KiB) over $runs runs, as "secs rss".
measure() {
  local label=$1; shift
  local best= rss=0 t m
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f '%e %M' -o "$out/b-time" bash -c "$*" >"$out/b-stdout" 2>"$out/b-stderr" ||
      { echo "$label failed:"; cat "$out/b-stderr"; exit 1; } >&2
    read -r t m <"$out/b-time"
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    ((m > rss)) && rss=$m
    echo "  $label run $((r + 1)): $t s, $((m / 1024)) MiB" >&2
  done
  echo "$best $rss"
}
q() { printf '%q' "$1"; }
set_file=$out/b.ferret-hashset
ln -sf "$(basename "$list")" "$out/hfind-list.md5"  # hfind writes its index beside the list

read -r import_secs import_rss < <(measure "ferret-hashset import" \
  "$(q "$tool") import --out $(q "$set_file") --force --name bench --category other --quiet $(q "$list")")
read -r import64_secs import64_rss < <(measure "ferret-hashset import --memory 64" \
  "$(q "$tool") import --out $(q "$set_file") --force --name bench --category other --quiet --memory 64 $(q "$list")")
idx=$out/hfind-list.md5-md5.idx
read -r hfind_index_secs hfind_index_rss < <(measure "hfind -i md5sum" "rm -f $(q "$idx") $(q "$idx")2 && hfind -i md5sum $(q "$out/hfind-list.md5")")

# Keep one set and one hfind index for the lookups.
"$tool" import --out "$set_file" --force --name bench --category other --quiet --json "$list" >"$out/import.json"
set_bytes=$(stat -c %s "$set_file")
idx_bytes=$(( $(stat -c %s "$idx") + $(stat -c %s "${idx}2" 2>/dev/null || echo 0) ))

echo "bench-hashset: in-process lookups ($queries, half present)" >&2
"$driver" lookup "$set_file" "$lines" "$queries" "$cores" | tee "$out/lookups.txt" >&2
# "single lookups: 1 thread(s): ... = X million/s (Y million/s per thread)"
figure() { awk -v kind="$1" -v t="$2" '$1 == kind && $3 == t { for (i = 1; i <= NF; i++) if ($i == "=") print $(i + 1) }' "$out/lookups.txt"; }
single_1=$(figure single 1); batched_1=$(figure batched 1)
single_n=$(figure single "$cores"); batched_n=$(figure batched "$cores")

lookup_cmd="$(q "$tool") lookup $(q "$set_file") - < $(q "$queryfile")"
read -r cli_secs cli_rss < <(measure "ferret-hashset lookup ($cli_queries)" "$lookup_cmd")
ours_found=$(bash -c "$lookup_cmd" | grep -c '  match' || true)
read -r hfind_secs hfind_rss < <(measure "hfind -f ($cli_queries)" "hfind -f $(q "$queryfile") $(q "$out/hfind-list.md5")")
hfind_found=$(hfind -f "$queryfile" "$out/hfind-list.md5" | grep -vc 'Hash Not Found' || true)

mib() { echo $(( $1 / 1024 )); }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", n / s }'; }
printf '\n%-44s %10s %10s %14s\n' "step ($lines-line md5sum list, $cores cores)" "wall s" "peak MiB" "rate"
printf '%-44s %10s\n' "generate the list (ferret-bench-lookup)" "$gen_secs"
printf '%-44s %10s %10s %14s\n' "ferret-hashset import (--memory 256)" "$import_secs" "$(mib "$import_rss")" "$(rate "$lines" "$import_secs") lines/s"
printf '%-44s %10s %10s %14s\n' "ferret-hashset import --memory 64" "$import64_secs" "$(mib "$import64_rss")" "$(rate "$lines" "$import64_secs") lines/s"
printf '%-44s %10s %10s %14s\n' "hfind -i md5sum (index build)" "$hfind_index_secs" "$(mib "$hfind_index_rss")" "$(rate "$lines" "$hfind_index_secs") lines/s"
printf '%-44s %10s %10s %14s\n' "lookups in-process, 1 thread (million/s)" "" "" "$single_1"
printf '%-44s %10s %10s %14s\n' "  batched (HashSetIndex::lookup(span))" "" "" "$batched_1"
if ((cores > 1)); then
  printf '%-44s %10s %10s %14s\n' "lookups in-process, $cores threads (million/s)" "" "" "$single_n"
  printf '%-44s %10s %10s %14s\n' "  batched" "" "" "$batched_n"
fi
printf '%-44s %10s %10s %14s\n' "ferret-hashset lookup - ($cli_queries hashes)" "$cli_secs" "$(mib "$cli_rss")" "$(rate "$cli_queries" "$cli_secs")/s"
printf '%-44s %10s %10s %14s\n' "hfind -f ($cli_queries hashes)" "$hfind_secs" "$(mib "$hfind_rss")" "$(rate "$cli_queries" "$hfind_secs")/s"
echo
echo "set file: $((set_bytes / 1048576)) MiB; hfind index: $((idx_bytes / 1048576)) MiB; list: $(( $(stat -c %s "$list") / 1048576 )) MiB"
echo "found among the $cli_queries CLI queries (half present): ferret-hashset $ours_found, hfind $hfind_found"
awk -v s="$import_secs" -v n="$lines" 'BEGIN { printf "import of %s lines: %.1f s (target <= 60 on 2 cores): %s\n", n, s, (s <= 60 ? "ok" : "MISSED") }'
awk -v r="$single_1" -v b="$batched_1" 'BEGIN { printf "lookups per core: %.2f million/s one at a time, %.2f batched (target >= 5): %s\n", r, b, (r >= 5 ? "ok" : "MISSED") }'
echo "import peak RSS: $(mib "$import_rss") MiB with --memory 256, $(mib "$import64_rss") MiB with --memory 64 (bounded by the budget, not the list)"
[[ $ours_found == "$hfind_found" && $ours_found == $((cli_queries / 2)) ]] && echo "answers agree with hfind: ok" || echo "answers differ from hfind: CHECK"
rm -f "$out/b-time" "$out/b-stdout" "$out/b-stderr"
