/** vml-agent login-warnings: what the last restore could not bring back, and what is not valid now. */
import { collectWarnings } from '../../warnings/collect.js';
import { writeWarningsFile } from '../../warnings/write.js';
import type { CommandDefinition } from '../command.js';

export const loginWarningsCommand: CommandDefinition = {
  name: 'login-warnings',
  summary: 'Print what the last restore could not bring back, and what is not valid now',
  help: `Lists, with the command that fixes each one:
  - what the last restore could not bring back (from /var/lib/vml/last-restore.json): credentials that are
    never stored (grid proxies, Kerberos tickets) or were stripped from a public version, packages, mounts
  - live checks: grid proxy missing or expired ($X509_USER_PROXY or /tmp/x509up_u<uid>), no valid Kerberos
    ticket (klist -s; only where /etc/krb5.conf names a default realm), network file systems in /etc/fstab
    that are not mounted, CernVM-FS repositories that cannot be listed under /cvmfs, and a last backup at
    shutdown that failed, did not finish or was skipped
Run as root (as vml-login-warnings.service does at boot), the checks are for the configured entry's owner.
--write also writes the text to /run/vml/login-warnings (removed when there is nothing to say), which
/etc/profile.d/vml.sh prints in interactive login shells. Checks can be left out with login_warnings.skip
in /etc/vml/agent.yaml. Exit 0 whether or not there are warnings.

Examples:
  vml-agent login-warnings
  vml-agent login-warnings --json
  vml-agent login-warnings --write        # what the boot service and restore do`,
  configure(cmd) {
    cmd.option('--write', 'also write /run/vml/login-warnings for the login shells');
  },
  async run(ctx, _args, flags) {
    const now = new Date();
    const warnings = await collectWarnings(ctx.config, now);
    for (const w of warnings) ctx.output.emit({ type: 'login-warning', ...w });
    if (flags.write === true) {
      const path = await writeWarningsFile(ctx.config.root, warnings, now);
      ctx.output.emit({ type: 'login-warnings-written', path, count: warnings.length });
    } else if (warnings.length === 0) {
      ctx.output.emit({ type: 'info', message: 'No login warnings' });
    }
    return undefined;
  },
};
