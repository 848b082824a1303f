/**
 * The `credentials` step: finds the credentials among the files a recipe keeps and makes sure none of them
 * is stored in plain text. Session credentials (proxies, tickets, tokens) are only recorded: type, path and
 * the command that makes a new one. Long-lived ones (grid certificate and key, SSH keys, .netrc, tool
 * configs with passwords) are sealed with age to the owner's recipient into the version's `vault.age`
 * attachment, with their modes and owners; restore brings them back with the owner's identity.
 */
import { z } from 'zod';
import type { Manifest } from '../../logbook/format/manifest.js';
import { captureCredentials } from './credentials/capture.js';
import { restoreCredentials } from './credentials/restore.js';
import type { FactChange, FactStep } from './step.js';

/** One credential a version saw. Never its content. */
export interface CredentialRecord {
  /** Root-relative path. */
  readonly path: string;
  /** What the sanitizers call it: grid-user-key, voms-proxy, kerberos-ccache, ssh-private-key, … */
  readonly type: string;
  readonly credential: 'session' | 'long-lived';
  /** How the owner makes or brings it back by hand (`voms-proxy-init -voms atlas`, `kinit USER@CERN.CH`). */
  readonly hint?: string | undefined;
  /** Long-lived and in the version's vault. */
  readonly sealed: boolean;
  /** The version's files hold a copy with the secret values removed (a .bashrc, a .git/config). */
  readonly redacted?: boolean | undefined;
}

export interface CredentialsFacts {
  readonly credentials: readonly CredentialRecord[];
  /** The recipient the vault was sealed to, when there is a vault. */
  readonly recipient?: string | undefined;
  /**
   * The detectors that classified the files (credential sanitizers' names): the next backup looks again
   * only at changed files when they are the same, at every file otherwise.
   */
  readonly rules?: string | undefined;
}

export const credentialsSchema = z.object({}).strict();

export type CredentialsWith = z.output<typeof credentialsSchema>;

export const credentialsStep: FactStep<CredentialsWith, CredentialsFacts> = {
  kind: 'credentials',
  heading: 'Keep credentials out of the files: record session ones, seal long-lived ones for the owner',
  schema: credentialsSchema,
  examples: [{}],
  phase: 'after-files',
  capture: captureCredentials,
  restore: restoreCredentials,
  diff(before, after) {
    const key = (c: CredentialRecord) => `${c.path}\u0000${c.type}`;
    const a = new Map(before.credentials.map((c) => [key(c), c]));
    const b = new Map(after.credentials.map((c) => [key(c), c]));
    const out: FactChange[] = [];
    for (const [k, c] of a) if (!b.has(k)) out.push({ change: 'removed', subject: subject(c) });
    for (const [k, c] of b) {
      const old = a.get(k);
      if (!old) out.push({ change: 'added', subject: subject(c) });
      else if (old.sealed !== c.sealed)
        out.push({
          change: 'modified',
          subject: subject(c),
          detail: c.sealed ? 'now sealed' : 'no longer sealed',
        });
    }
    return out.sort((x, y) => (x.subject < y.subject ? -1 : 1));
  },
  describe(facts) {
    const sealed = facts.credentials.filter((c) => c.sealed).length;
    const session = facts.credentials.filter((c) => c.credential === 'session').length;
    const lines = [`${sealed} sealed in the vault, ${session} session credentials recorded (not stored)`];
    for (const c of facts.credentials) {
      const label = c.sealed ? 'sealed  ' : c.credential === 'session' ? 'session ' : 'left out';
      lines.push(`${label}  ${c.path} (${c.type}${c.redacted ? ', files hold a redacted copy' : ''})`);
    }
    return lines;
  },
};

/** Paths every `credentials` step of a manifest recorded: restore keeps them even though the tree lacks them. */
export function recordedCredentialPaths(manifest: Pick<Manifest, 'steps'>): Set<string> {
  const out = new Set<string>();
  for (const step of Object.values(manifest.steps ?? {})) {
    if (step.kind !== credentialsStep.kind) continue;
    const facts = step.facts as Partial<CredentialsFacts> | undefined;
    for (const c of facts?.credentials ?? []) if (typeof c?.path === 'string') out.add(c.path);
  }
  return out;
}

const subject = (c: CredentialRecord) => `credential ${c.path} (${c.type})`;
