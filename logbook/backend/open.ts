/**
 * Opens a logbook's storage from a location string. This is the one place backends get their wrappers,
 * so every command sees the same retry behaviour (restic's global.go).
 */
import type { Backend, IoOptions } from './backend.js';
import { DirBackend } from './dir.js';
import { findBackend, stripUserInfo } from './registry.js';
import { RetryingBackend, type RetryOptions } from './retry.js';

/** Options of openBackend. */
export interface OpenBackendOptions {
  /** Make the storage first (`vml-agent init`); otherwise nothing is created. */
  readonly create?: boolean;
  /** Tuning of the retry wrapper; tests pass tiny delays. */
  readonly retry?: RetryOptions;
  /** `--token-file`: where a logbook server's API token is (http-token.ts). */
  readonly tokenFile?: string | undefined;
}

/** Finds the backend for `url` by scheme, opens (or creates) it and wraps it; throws VmlError E_USAGE. */
export async function openBackend(url: string, options: OpenBackendOptions = {}): Promise<Backend> {
  const factory = findBackend(url);
  const factoryOptions = { tokenFile: options.tokenFile };
  const backend =
    options.create === true
      ? await factory.create(url, factoryOptions)
      : await factory.open(url, factoryOptions);
  // To come, innermost first: a connection limiter (properties.connections) and logging, i.e.
  // retrying(logging(limited(be))).
  return new RetryingBackend(backend, options.retry);
}

/** The location with credentials removed, safe for messages, logs and JSON events. */
export function stripCredentials(url: string): string {
  try {
    return findBackend(url).stripCredentials(url);
  } catch {
    return stripUserInfo(url);
  }
}

/**
 * Removes temp files older than `olderThanMs` left by crashed writers, looking through the wrappers
 * `openBackend` adds; returns how many. Backends without temp files (memory, http, s3) return 0.
 */
export async function cleanTempFiles(
  backend: Backend,
  olderThanMs: number,
  options?: IoOptions,
): Promise<number> {
  let be: Backend = backend;
  // Wrappers expose what they wrap as `base` (RetryingBackend, FaultyBackend).
  while (!(be instanceof DirBackend) && 'base' in be && isBackend(be.base)) be = be.base;
  return be instanceof DirBackend ? be.cleanTempFiles(olderThanMs, options) : 0;
}

function isBackend(value: unknown): value is Backend {
  return typeof value === 'object' && value !== null && 'list' in value && 'save' in value;
}
