/** Capture of the credentials step (see ../credentials.ts): find, record, seal, exclude. */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findCredentials } from '../../../sanitizers/credentials.js';
import { SANITIZERS } from '../../../sanitizers/registry.js';
import { sealVault, VAULT_ATTACHMENT } from '../../vault/seal.js';
import type { VaultFile } from '../../vault/tar.js';
import type { CredentialRecord, CredentialsFacts, CredentialsWith } from '../credentials.js';
import type { CaptureContext } from '../step.js';

/** Records every credential in scope, seals the long-lived ones, and keeps all of them out of the files. */
export async function captureCredentials(ctx: CaptureContext<CredentialsWith>): Promise<CredentialsFacts> {
  const rules = credentialRules();
  // A file the parent version stored unchanged was no credential then; under the same rules it is none now.
  // Credentials themselves are never in the parent's files, so they always count as changed.
  const previous = ctx.previousFacts as Partial<CredentialsFacts> | undefined;
  const files = previous?.rules === rules ? await ctx.changedFilesInScope() : await ctx.filesInScope();
  const found = new Map<string, { type: string; credential: 'session' | 'long-lived'; hint?: string }>();
  for (const f of await findCredentials(ctx.root, files)) {
    if (f.credential === undefined) continue; // not a credential (a redacted line, a README): the files keep it
    const seen = found.get(f.path);
    // A file with a long-lived secret in it is sealed even if it also holds a session one.
    if (seen && (seen.credential === 'long-lived' || f.credential === 'session')) continue;
    found.set(f.path, {
      type: f.type,
      credential: f.credential,
      ...(f.restoreHint ? { hint: f.restoreHint } : {}),
    });
  }
  const records: CredentialRecord[] = [];
  const vault: VaultFile[] = [];
  for (const [path, f] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    ctx.exclude(path); // never in plain text, whatever happens below
    const file = f.credential === 'long-lived' && ctx.recipient ? await readCredential(ctx, path) : undefined;
    if (file) vault.push(file);
    records.push({ path, type: f.type, credential: f.credential, hint: f.hint, sealed: file !== undefined });
  }
  const unsealed = records.filter((r) => r.credential === 'long-lived' && !r.sealed).length;
  if (unsealed > 0 && !ctx.recipient) {
    ctx.output.emit({
      type: 'warning',
      message: `${unsealed} long-lived credentials are not kept in this version: no recipient to seal them to`,
      path: undefined,
    });
    ctx.output.emit({
      type: 'info',
      message: 'Run "vml-agent init --entry OWNER/NAME" to create your identity',
    });
  }
  if (vault.length > 0 && ctx.recipient) {
    ctx.attach(VAULT_ATTACHMENT, await sealVault(vault, ctx.recipient));
    return { credentials: records, recipient: ctx.recipient, rules };
  }
  return { credentials: records, rules };
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
