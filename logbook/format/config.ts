/**
 * The logbook's `config` file: what it is, the format it is written in, and the chunker parameters (which
 * must never change for a logbook, or deduplication would stop working).
 */
import { randomBytes } from 'node:crypto';
import { VmlError } from '../../core/errors.js';
import { type ChunkerParams, checkChunkerParams, DEFAULT_CHUNKER } from './chunker.js';

export const LOGBOOK_MAGIC = 'vml-logbook';
/** Bump when a reader of the old format could misread the new one; FORMAT.md §Versioning. */
export const LOGBOOK_FORMAT = 1;

export interface LogbookConfig {
  readonly magic: typeof LOGBOOK_MAGIC;
  readonly format: number;
  readonly id: string;
  readonly created: string;
  readonly chunker: ChunkerParams;
}

export function newConfig(chunker: ChunkerParams = DEFAULT_CHUNKER): LogbookConfig {
  return {
    magic: LOGBOOK_MAGIC,
    format: LOGBOOK_FORMAT,
    id: randomBytes(16).toString('hex'),
    created: new Date().toISOString(),
    chunker,
  };
}

export function encodeConfig(c: LogbookConfig): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(c, null, 2)}\n`);
}

/** Parses the config; `location` names the logbook in errors. */
export function decodeConfig(bytes: Uint8Array, location: string): LogbookConfig {
  let c: LogbookConfig;
  try {
    c = JSON.parse(new TextDecoder().decode(bytes)) as LogbookConfig;
  } catch (cause) {
    throw foreign(location, cause);
  }
  if (c?.magic !== LOGBOOK_MAGIC) throw foreign(location);
  if (typeof c.format !== 'number' || c.format > LOGBOOK_FORMAT) {
    throw new VmlError(
      'E_LOGBOOK_NEWER',
      `Cannot open logbook "${location}": a newer VML wrote it (format ${String(c.format)}, this VML reads up to ${LOGBOOK_FORMAT})`,
      {
        hint: 'Upgrade vml-agent to a version that knows this format; nothing was changed',
      },
    );
  }
  try {
    checkChunkerParams(c.chunker);
  } catch (cause) {
    throw new VmlError(
      'E_CORRUPT',
      `Cannot open logbook "${location}": its config has invalid chunker parameters`,
      {
        hint: 'The config file is damaged; restore it from a copy (it never changes after init)',
        cause,
      },
    );
  }
  return c;
}

function foreign(location: string, cause?: unknown): VmlError {
  return new VmlError(
    'E_LOGBOOK_FOREIGN',
    `Cannot open logbook "${location}": its config file is not a VML logbook config`,
    {
      hint: 'Check the --logbook location; VML never writes into a directory it does not recognise',
      cause,
    },
  );
}
