/**
 * Restore of the credentials step (see ../credentials.ts): long-lived credentials come back from the
 * vault when the owner's identity opens it; everything else becomes a restore problem with its hint.
 */
import { chmod, chown, realpath, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { isVmlError } from '../../../core/errors.js';
import { isSafeName } from '../../../logbook/format/tree.js';
import { safeTarget } from '../../restore/safe-path.js';
import { openVault, VAULT_ATTACHMENT } from '../../vault/seal.js';
import type { VaultFile } from '../../vault/tar.js';
import type { CredentialRecord, CredentialsFacts, CredentialsWith } from '../credentials.js';
import type { RestoreContext, RestoreOutcome, RestoreProblem } from '../step.js';

const withIdentity = (version: string) =>
  `restore again with the identity: vml-agent restore ${version} --identity FILE`;

/** Writes the sealed credentials back (with modes, owners, times) or says why not, one problem each. */
export async function restoreCredentials(
  ctx: RestoreContext<CredentialsWith, CredentialsFacts>,
): Promise<RestoreOutcome> {
  const problems: RestoreProblem[] = [];
  const actions: string[] = [];
  const sealed = ctx.facts.credentials.filter((c) => c.sealed);
  for (const c of ctx.facts.credentials) {
    if (c.sealed) continue;
    const why =
      c.credential === 'session' ? 'session credential, never stored' : 'long-lived credential, not sealed';
    problems.push(problem(c, `${notRestored(c)}: ${why}`, c.hint));
  }
  if (sealed.length === 0) return { actions, problems };
  if (ctx.dryRun) {
    return {
      actions: [`restore ${sealed.length} credentials from the vault (needs the identity)`],
      problems,
    };
  }
  const files = await openSealed(ctx).catch((error: unknown) => {
    const message = isVmlError(error) ? error.message : String(error);
    return `the vault could not be opened: ${message}`;
  });
  if (typeof files === 'string' || files === undefined) {
    const why = files ?? 'no identity to open the vault';
    for (const c of sealed) {
      problems.push(
        problem(
          c,
          `${notRestored(c)}: ${why}`,
          c.hint ? `${c.hint}; or ${withIdentity(ctx.version)}` : withIdentity(ctx.version),
        ),
      );
    }
    return { actions, problems };
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const realRoot = await realpath(ctx.root);
  for (const c of sealed) {
    const file = byPath.get(c.path);
    if (!file) {
      problems.push(problem(c, `${notRestored(c)}: missing from the vault`, c.hint));
      continue;
    }
    try {
      await writeCredential(ctx, realRoot, file);
      actions.push(
        `restored credential ${c.path} (${c.type}, mode ${file.mode.toString(8).padStart(4, '0')})`,
      );
    } catch (error) {
      const message = isVmlError(error) ? error.message : (error as Error).message;
      problems.push(problem(c, `${notRestored(c)}: ${message}`, c.hint));
    }
  }
  return { actions, problems };
}

/** The vault's files; undefined when there is no identity (or no vault). */
async function openSealed(
  ctx: RestoreContext<CredentialsWith, CredentialsFacts>,
): Promise<VaultFile[] | undefined> {
  const sealed = await ctx.attachment(VAULT_ATTACHMENT);
  if (sealed === undefined) return undefined;
  const identity = await ctx.identity();
  if (identity === undefined) return undefined;
  return openVault(sealed, identity.identity);
}

/** Writes one credential atomically, never outside the root, with its mode, owner and mtime. */
async function writeCredential(
  ctx: RestoreContext<CredentialsWith, CredentialsFacts>,
  realRoot: string,
  file: VaultFile,
): Promise<void> {
  // The vault is decrypted data from a logbook: check its names like tree names.
  if (!file.path.split('/').every(isSafeName)) throw new Error(`unsafe path in the vault: "${file.path}"`);
  const target = await safeTarget(ctx.root, realRoot, file.path);
  const temp = `${target}.vml-tmp-${process.pid}`;
  try {
    // 0600 from the start: the secret is never readable by others, not even for a moment.
    await writeFile(temp, file.content, { mode: 0o600, flag: 'wx' });
    if (process.getuid?.() === 0) {
      const uid = (file.user === undefined ? undefined : ctx.accounts.userId.get(file.user)) ?? file.uid;
      const gid = (file.group === undefined ? undefined : ctx.accounts.groupId.get(file.group)) ?? file.gid;
      await chown(temp, uid, gid);
    }
    await chmod(temp, file.mode);
    const ns = BigInt(file.mtime);
    const seconds = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
    await utimes(temp, seconds, seconds);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** The start of a problem's message; a redacted credential is there, only without its secret values. */
function notRestored(c: CredentialRecord): string {
  // The files restore kept a live copy, or wrote the version's copy without the secret values.
  return c.redacted
    ? `Not restored from the vault: ${c.path} (${c.type}; the live file is kept, a missing one was written without its secret values)`
    : `Not restored: ${c.path} (${c.type})`;
}

function problem(c: CredentialRecord, message: string, hint: string | undefined): RestoreProblem {
  return { step: 'credentials', kind: 'credential', subject: c.path, message, hint };
}
