#!/usr/bin/env bash
# Everything kbgen makes from a KB, through its command line only, into one
# folder, so two commits can be compared byte for byte (a refactoring must
# not change any of it):
#   scripts/snapshot-outputs.sh [ROOT] OUT      then   diff -r OUT-before OUT-after
# OUT gets, per audience: the staged site (pages, kb.json, llms.txt, ...), the
# export records, and the agent-search documents as stored in the index.
set -euo pipefail
if [ $# -eq 1 ]; then root=.; out=$1; else root=$1; out=$2; fi
kbgen=${KBGEN:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/kbgen}
py=$(dirname "$kbgen")/python
rm -rf "$out"; mkdir -p "$out"
idx=$(mktemp -d); trap 'rm -rf "$idx"' EXIT
for a in public internal; do
  "$kbgen" stage "$root" --audience "$a" --out "$out/stage-$a" -q
  "$kbgen" export "$root" --audience "$a" --format jsonl --out "$out/export-$a.jsonl"
  KBGEN_SEARCH_DIR="$idx" "$kbgen" search "$root" --audience "$a" --json kbgen-snapshot >/dev/null || true  # exit 1: nothing found
  "$py" - "$idx" "$a" > "$out/search-$a.tsv" <<'PY'
import sqlite3, sys, pathlib
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.sqlite")):
    if f"search-{sys.argv[2]}" not in str(p):
        continue
    con = sqlite3.connect(p)
    for table, cols in (("doc", "key, id, type, title, url, products, fp"), ("ftitle", "rowid, *"),
                        ("fsym", "rowid, *"), ("fbody", "rowid, *"), ("code", "code, rowid")):
        for row in con.execute(f"SELECT {cols} FROM {table} ORDER BY 1, 2"):
            print(table, *[str(v).replace("\n", "\\n") for v in row], sep="\t")
PY
done
rm -f "$out"/stage-*/.kbgen-stage 2>/dev/null || true
echo "snapshot: $out ($(find "$out" -type f | wc -l) files)" >&2
