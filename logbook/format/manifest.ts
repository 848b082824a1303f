/**
 * Version manifests: the last file a backup writes. A version exists exactly when its manifest does.
 * Layout: FORMAT.md §Manifests.
 */
import { createHash } from 'node:crypto';
import { VmlError } from '../../core/errors.js';

export const MANIFEST_FORMAT = 1;

export type Reason = 'manual' | 'shutdown' | 'timer' | 'pre-restore';
export const REASONS: readonly Reason[] = ['manual', 'shutdown', 'timer', 'pre-restore'];

export type Visibility = 'private' | 'public';

export interface VersionStats {
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  /** Files read and chunked (the rest came from the stat cache). */
  readonly filesRead: number;
  readonly bytesRead: number;
  /** New blobs and their stored size: what this version added to the logbook. */
  readonly blobsAdded: number;
  readonly bytesAdded: number;
  readonly seconds: number;
}

/** One thing the sanitizers removed or changed in a public version: where and what kind, never the value. */
export interface SanitizationFinding {
  readonly sanitizer: string;
  readonly type: string;
  /** Root-relative path, or `steps.<id>…` for a value dropped from a step's facts. */
  readonly path: string;
  readonly action: 'delete' | 'strip-line' | 'redact' | 'record';
  readonly restoreHint?: string | undefined;
  readonly credential?: 'session' | 'long-lived' | undefined;
  readonly count?: number | undefined;
  readonly reason?: string | undefined;
}

/** How a public version was made: from which private version, by which sanitizers, with what findings. */
export interface Sanitization {
  /** Id of the private version it was made from, and its name (`entry@vN`). */
  readonly from: string;
  readonly fromVersion: string;
  /** Names of the sanitizers that ran, in order. */
  readonly sanitizers: readonly string[];
  readonly findings: readonly SanitizationFinding[];
}

export interface Manifest {
  readonly format: number;
  /** `owner/name`. */
  readonly entry: string;
  /** Sequence number within the entry: v1, v2, … */
  readonly seq: number;
  /** Id of the version this one was made after (the stat cache's source), if any. */
  readonly parent?: string | undefined;
  /** ISO 8601 with milliseconds. */
  readonly time: string;
  readonly reason: Reason;
  readonly message?: string | undefined;
  readonly visibility: Visibility;
  readonly recipe: { readonly name: string; readonly hash: string };
  readonly host: string;
  /** Who ran the backup (the agent's user), and the root it read. */
  readonly user: string;
  readonly root: string;
  /** Facts each step recorded, by step id, with the step's `with` block (so restore runs it as captured). */
  readonly steps: Readonly<
    Record<string, { readonly kind: string; readonly with?: unknown; readonly facts: unknown }>
  >;
  /** Root tree of the captured files (paths relative to the backed-up root). */
  readonly tree: string;
  /**
   * Optional tree of named attachments: data a step or the vault keeps beside the files (a sealed
   * credential vault, a patch) that must not be restored as a file of the root. gc and check follow it.
   */
  readonly attachments?: string | undefined;
  /** Public versions only: what was sanitized, and from which private version (FORMAT.md §Manifests). */
  readonly sanitization?: Sanitization | undefined;
  readonly stats: VersionStats;
}

/** Serializes a manifest; its id is the SHA-256 of these bytes. */
export function encodeManifest(m: Manifest): { id: string; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(`${JSON.stringify(m, null, 2)}\n`);
  return { id: createHash('sha256').update(bytes).digest('hex'), bytes };
}

/** Parses and checks a manifest; a damaged or newer one is a clear error naming it. */
export function decodeManifest(bytes: Uint8Array, id: string): Manifest {
  const short = id.slice(0, 8);
  if (createHash('sha256').update(bytes).digest('hex') !== id) {
    throw new VmlError('E_CORRUPT', `Version ${short} is damaged: its manifest does not match its id`, {
      hint: 'Run "vml-agent check" for details; other versions are not affected',
    });
  }
  let m: Manifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  } catch (cause) {
    throw new VmlError('E_CORRUPT', `Version ${short} is damaged: its manifest is not JSON`, { cause });
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new VmlError('E_CORRUPT', `Version ${short} is damaged: its manifest is not a JSON object`);
  }
  if (typeof m.format !== 'number' || m.format > MANIFEST_FORMAT) {
    throw new VmlError('E_LOGBOOK_NEWER', `Version ${short} has manifest format ${String(m.format)}`, {
      hint: 'It was written by a newer VML: upgrade vml-agent to read it',
    });
  }
  if (typeof m.entry !== 'string' || typeof m.seq !== 'number' || typeof m.tree !== 'string') {
    throw new VmlError('E_CORRUPT', `Version ${short} is damaged: entry, seq or tree missing`);
  }
  return m;
}
