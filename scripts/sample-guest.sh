#!/usr/bin/env bash
# Writes a small phony CernVM guest root: accounts, an ATLAS-style analysis area of the user alice, some
# configuration and a binary. Keeps a copy of the home as "v1-copy" beside the root for the demo's check.
set -euo pipefail
ROOT=$1
H=$ROOT/home/alice
mkdir -p "$ROOT/etc" "$H/higgs-ww/source/MyAnalysis/src" "$H/higgs-ww/source/MyAnalysis/MyAnalysis" \
  "$H/higgs-ww/build/x86_64-el9-gcc13-opt" "$H/higgs-ww/run" "$H/.cache/pip" "$H/empty-dir"
cat > "$ROOT/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/bash
alice:x:1000:1000:Alice Physicist:/home/alice:/bin/bash
P
printf 'root:x:0:\nalice:x:1000:\n' > "$ROOT/etc/group"
cat > "$H/higgs-ww/source/MyAnalysis/src/Selection.cxx" <<'C'
#include "MyAnalysis/Selection.h"
// Event selection for the H->WW->lvlv analysis.
bool Selection::pass(const xAOD::Electron& el) const {
  double ptCut = 25.0;
  return el.pt() > ptCut * 1000.;
}
C
printf '#pragma once\nclass Selection { public: bool pass(const xAOD::Electron&) const; };\n' \
  > "$H/higgs-ww/source/MyAnalysis/MyAnalysis/Selection.h"
printf 'atlas_subdir( MyAnalysis )\natlas_add_library( MyAnalysisLib src/*.cxx )\n' > "$H/higgs-ww/source/MyAnalysis/CMakeLists.txt"
printf '#!/bin/sh\nathena MyAnalysis/run.py\n' > "$H/higgs-ww/run/submit.sh"
chmod 755 "$H/higgs-ww/run/submit.sh"
echo 'output of an old run' > "$H/higgs-ww/run/old-output.txt"
head -c 2000000 /dev/urandom > "$H/higgs-ww/run/histograms.root"
head -c 500000 /dev/urandom > "$H/higgs-ww/build/x86_64-el9-gcc13-opt/libMyAnalysis.so"
echo 'cached wheel' > "$H/.cache/pip/wheel"
printf 'export PS1="[\\u@cernvm \\W]$ "\n' > "$H/.bashrc"
ln -s higgs-ww/run "$H/current-run"
touch -d '2026-11-01 10:00:00.123456789' "$H/higgs-ww/source/MyAnalysis/CMakeLists.txt"
chown -R 1000:1000 "$H" 2>/dev/null || true
COPY=$(dirname "$ROOT")/v1-copy
mkdir -p "$COPY"
# home.yaml leaves out caches and build outputs: so does the copy kept for comparison. tar (POSIX format,
# sub-second times) keeps the directories' mtimes, which removing files from a plain copy would change.
tar -C "$ROOT" --format=posix --exclude=home/alice/.cache --exclude=home/alice/higgs-ww/build -cf - home | tar -C "$COPY" -xf -
