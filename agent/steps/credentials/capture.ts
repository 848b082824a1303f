/** Capture of the credentials step (see ../credentials.ts): find, record, seal, exclude. */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findCredentials } from '../../../sanitizers/credentials.js';
import { SANITIZERS } from '../../../sanitizers/registry.js';
import { sealVault, VAULT_ATTACHMENT } from '../../vault/seal.js';
import type { VaultFile } from '../../vault/tar.js';
import type { CredentialRecord, CredentialsFacts, CredentialsWith } from '../credentials.js';
import type { CaptureContext } from '../step.js';
import { redactedCopies } from './redact.js';

/**
 * Records every credential in scope and keeps all of them out of the plain files: long-lived ones are
 * sealed; a file whose secret is only a value inside it (a .git/config, a .bashrc) is stored redacted.
 */
export async function captureCredentials(ctx: CaptureContext<CredentialsWith>): Promise<CredentialsFacts> {
  const rules = credentialRules();
  // A file the parent version stored unchanged was no credential then; under the same rules it is none now.
  const previous = ctx.previousFacts as Partial<CredentialsFacts> | undefined;
  const files = previous?.rules === rules ? await changedOrKnown(ctx, previous) : await ctx.filesInScope();
  const found = new Map<string, Found>();
  for (const f of await findCredentials(ctx.root, files)) {
    if (f.credential === undefined) continue; // not a credential (a README): the files keep it
    const seen = found.get(f.path);
    const partial = f.action === 'redact' || f.action === 'strip-line';
    // A file with a long-lived secret is sealed even if it also holds a session one; it is stored redacted
    // only if every finding in it is a value inside it, not the file itself.
    const keepSeen = seen?.credential === 'long-lived' && f.credential === 'session';
    const hint = seen?.hint ?? f.restoreHint;
    found.set(f.path, {
      type: keepSeen ? (seen?.type ?? f.type) : f.type,
      credential: keepSeen ? 'long-lived' : f.credential,
      partial: (seen?.partial ?? true) && partial,
      ...(hint ? { hint } : {}),
    });
  }
  const sorted = [...found].sort(([a], [b]) => (a < b ? -1 : 1));
  const partial = sorted.filter(([, f]) => f.partial).map(([path]) => path);
  const redacted = await redactedCopies(ctx.root, partial, ctx.signal);
  const records: CredentialRecord[] = [];
  const vault: VaultFile[] = [];
  for (const [path, f] of sorted) {
    // Never in plain text: the files get the redacted copy, or nothing.
    const copy = redacted.get(path);
    if (copy) ctx.substitute(path, copy);
    else ctx.exclude(path);
    const file = f.credential === 'long-lived' && ctx.recipient ? await readCredential(ctx, path) : undefined;
    if (file) vault.push(file);
    records.push({
      path,
      type: f.type,
      credential: f.credential,
      hint: f.hint,
      sealed: file !== undefined,
      ...(copy ? { redacted: true } : {}),
    });
  }
  const unsealed = records.filter((r) => r.credential === 'long-lived' && !r.sealed).length;
  if (unsealed > 0 && !ctx.recipient) {
    // Not a warning: without an identity this is how the owner set it up; show and restore name each one.
    ctx.output.emit({
      type: 'info',
      message:
        `${unsealed} long-lived credentials are kept out of this version (or redacted): no recipient to seal ` +
        'them to; "vml-agent init --entry OWNER/NAME" in a terminal creates one',
    });
  }
  if (vault.length > 0 && ctx.recipient) {
    ctx.attach(VAULT_ATTACHMENT, await sealVault(vault, ctx.recipient));
    return { credentials: records, recipient: ctx.recipient, rules };
  }
  return { credentials: records, rules };
}

interface Found {
  readonly type: string;
  readonly credential: 'session' | 'long-lived';
  readonly hint?: string;
  /** Every finding is a value inside the file (redact, strip-line): a redacted copy can be kept. */
  readonly partial: boolean;
}

/**
 * Files changed since the parent, and the credentials the parent recorded: a redacted copy may have kept
 * the original's size, and must be looked at again all the same.
 */
async function changedOrKnown(
  ctx: CaptureContext<CredentialsWith>,
  previous: Partial<CredentialsFacts>,
): Promise<string[]> {
  const inScope = new Set(await ctx.filesInScope());
  const known = (previous.credentials ?? []).map((c) => c.path).filter((p) => inScope.has(p));
  return [...new Set([...(await ctx.changedFilesInScope()), ...known])];
}

/** Which detectors ran: the names of the credential sanitizers. Other names mean: look at every file again. */
function credentialRules(): string {
  return SANITIZERS.filter((s) => s.enabledByDefault && s.credentials === true)
    .map((s) => s.name)
    .join(',');
}

/** The file with its metadata, or undefined (with a warning) when it vanished or cannot be read. */
async function readCredential(
  ctx: CaptureContext<CredentialsWith>,
  path: string,
): Promise<VaultFile | undefined> {
  const abs = join(ctx.root, path);
  try {
    const s = await lstat(abs, { bigint: true });
    if (!s.isFile()) return undefined;
    return {
      path,
      mode: Number(s.mode & 0o7777n),
      uid: Number(s.uid),
      gid: Number(s.gid),
      user: ctx.accounts.userName.get(Number(s.uid)),
      group: ctx.accounts.groupName.get(Number(s.gid)),
      mtime: s.mtimeNs.toString(),
      content: await readFile(abs),
    };
  } catch (error) {
    ctx.output.emit({
      type: 'warning',
      message: `Credential not sealed: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      path,
    });
    return undefined;
  }
}
