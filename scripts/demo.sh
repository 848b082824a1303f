#!/usr/bin/env bash
# The Quick start's main job on the embedded default: a dir: logbook and a sample guest root under .demo/.
# Backs the root up twice with a change between, shows log and diff, restores v1 into a scratch root and
# proves it identical (contents, modes, symlinks, mtimes to the microsecond).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE=node_modules/.bin/node
agent() { "$NODE" dist/agent/cli/main.js "$@"; }
DEMO=.demo
rm -rf "$DEMO"
mkdir -p "$DEMO"
ROOT=$DEMO/guest
bash scripts/sample-guest.sh "$ROOT"

echo "== vml-agent init"
# The owner's identity passphrase: asked on a terminal; the demo gives one so it runs unattended.
export VML_IDENTITY_PASSPHRASE="${VML_IDENTITY_PASSPHRASE:-vml demo passphrase}"
agent init --root "$ROOT" --logbook "dir:$PWD/$DEMO/logbook" --entry alice/higgs-ww
# init put the owner's identity into the home, so v1 holds it: the copy kept aside gets it too.
cp -a "$ROOT/home/alice/.config" "$DEMO/v1-copy/home/alice/"
touch -r "$ROOT/home/alice" "$DEMO/v1-copy/home/alice"
echo "== vml-agent backup (v1)"
agent backup --root "$ROOT" --message "first result"
# The physicist changes the analysis: edits a source, adds a file, removes one, changes a mode.
echo '  double ptCut = 27.0;  // tighter cut' >> "$ROOT/home/alice/higgs-ww/source/MyAnalysis/src/Selection.cxx"
echo 'notes for v2' > "$ROOT/home/alice/higgs-ww/NOTES.md"
rm "$ROOT/home/alice/higgs-ww/run/old-output.txt"
chmod 700 "$ROOT/home/alice/higgs-ww/run/submit.sh"
echo "== vml-agent backup (v2)"
agent backup --root "$ROOT" --message "tighter pT cut"
echo "== vml-agent log"
agent log --root "$ROOT"
echo "== vml-agent diff alice/higgs-ww@v1 alice/higgs-ww@v2"
agent diff alice/higgs-ww@v1 alice/higgs-ww@v2 --root "$ROOT"

echo "== restore v1 into a scratch root, then compare with a copy of v1 kept aside"
SCRATCH=$DEMO/scratch
agent restore alice/higgs-ww@v1 --root "$SCRATCH" --logbook "dir:$PWD/$DEMO/logbook"
listing() { (cd "$1" && find home -printf '%p %y %m %s %.16T@ %l\n' | sort && find home -type f -print0 | sort -z | xargs -0 sha256sum); }
listing "$DEMO/v1-copy" > "$DEMO/expected.txt"
listing "$SCRATCH" > "$DEMO/restored.txt"
if diff -u "$DEMO/expected.txt" "$DEMO/restored.txt"; then
  echo "OK: the restored root is identical to v1 ($(wc -l < "$DEMO/expected.txt") lines compared: paths, types, modes, sizes, mtimes, link targets, SHA-256)"
else
  echo "FAILED: the restored root differs from v1" >&2
  exit 1
fi
echo "== vml-agent check --read-data"
agent check --read-data --root "$ROOT"
