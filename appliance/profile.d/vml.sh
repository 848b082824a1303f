# shellcheck shell=sh
# VML login warnings (installed as /etc/profile.d/vml.sh): prints what the last restore could not bring back
# and what was found invalid at boot, written by vml-login-warnings.service and by "vml-agent restore".
# Interactive shells only, and no process is started: the small file is read with shell builtins.
# "vml-agent login-warnings" shows the same, checked live.
case $- in
*i*)
  vml_warnings=${VML_LOGIN_WARNINGS:-/run/vml/login-warnings}
  if [ -r "$vml_warnings" ]; then
    while IFS= read -r vml_line || [ -n "$vml_line" ]; do
      printf '%s\n' "$vml_line"
    done <"$vml_warnings"
  fi
  unset vml_warnings vml_line
  ;;
esac
