# VML login warnings for csh/tcsh (installed as /etc/profile.d/vml.csh): see vml.sh. Interactive shells
# only ($prompt is set); csh has no read loop, so this costs one "cat" when there are warnings.
if ( $?prompt ) then
  if ( $?VML_LOGIN_WARNINGS ) then
    set vml_warnings = "$VML_LOGIN_WARNINGS"
  else
    set vml_warnings = /run/vml/login-warnings
  endif
  if ( -r "$vml_warnings" && ! -z "$vml_warnings" ) then
    cat "$vml_warnings"
  endif
  unset vml_warnings
endif
