#!/usr/bin/env bash
# Measures what the profile.d hook adds to a login: N interactive login shells (bash -lic exit) with the hook
# sourced from a throwaway /etc/profile-like rc file, and N without it, with a warnings file of typical size;
# then the hook alone, sourced 1000 times inside one interactive shell (free of process-start noise, which on
# a busy machine is larger than the hook itself).
#   appliance/measure-login-latency.sh [N]      prints the mean per login with and without, and the hook alone
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'VML: 2 warnings (as of 2026-01-01 00:00 UTC; "vml-agent login-warnings" checks again)\n  * No grid proxy\n      run: voms-proxy-init -voms atlas\n  * No valid Kerberos ticket for alice\n      run: kinit alice@CERN.CH\n' >"$work/warnings"
: >"$work/without.rc"
printf '. %s\n' "$here/profile.d/vml.sh" >"$work/with.rc"
run() { # rc file -> seconds for n logins
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do HOME=$work VML_LOGIN_WARNINGS=$work/warnings bash --rcfile "$1" -i -c exit >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(((end - start) / n / 1000))
}
run "$work/with.rc" >/dev/null # warm the page cache
without=$(run "$work/without.rc")
with=$(run "$work/with.rc")
echo "login without hook: ${without} us, with hook: ${with} us, added: $((with - without)) us (mean of $n)"
# shellcheck disable=SC2016 # expanded by the inner shell
inner=$(HOME=$work VML_LOGIN_WARNINGS=$work/warnings bash --norc -i -c '
  s=$EPOCHREALTIME; for _ in {1..1000}; do . "$1" >/dev/null; done; e=$EPOCHREALTIME
  echo $(( (${e/./} - ${s/./}) / 1000 ))' _ "$here/profile.d/vml.sh" 2>/dev/null)
echo "the hook alone (printing 5 lines): ${inner} us per login (mean of 1000, one shell)"
