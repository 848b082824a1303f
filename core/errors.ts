/**
 * Errors that reach the user. Callers branch on `code`, never on the message.
 * Messages follow the Deno style: sentence case, no trailing period, quoted values, detail after a colon;
 * the next step goes into `hint`.
 */

/** Exit codes of every VML command (DESIGN.md §3). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  warnings: 3,
  noLogbook: 10,
  locked: 11,
  auth: 12,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Stable error codes and the exit code each maps to. */
const CODE_EXIT = {
  E_USAGE: EXIT.usage,
  E_CONFIG_INVALID: EXIT.usage,
  E_RECIPE_INVALID: EXIT.usage,
  E_NO_LOGBOOK: EXIT.noLogbook,
  E_LOGBOOK_FOREIGN: EXIT.noLogbook,
  E_LOGBOOK_NEWER: EXIT.failure,
  E_LOCKED: EXIT.locked,
  E_AUTH: EXIT.auth,
  E_PERMISSION: EXIT.auth,
  E_NOT_FOUND: EXIT.failure,
  E_AMBIGUOUS: EXIT.usage,
  E_CORRUPT: EXIT.failure,
  E_UNSAFE_PATH: EXIT.failure,
  E_NO_SPACE: EXIT.failure,
  E_IO: EXIT.failure,
  E_SANITIZE_FAILED: EXIT.failure,
  E_INTERRUPTED: EXIT.interrupted,
  E_INTERNAL: EXIT.failure,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof CODE_EXIT;

export interface VmlErrorOptions {
  /** What the user can do next, shown on its own line. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

export class VmlError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: VmlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmlError';
    this.code = code;
    this.exitCode = CODE_EXIT[code];
    this.hint = options.hint;
  }
}

// Unlike `instanceof`, this also works for errors thrown from another copy of this module (worker threads).
export function isVmlError(error: unknown): error is VmlError {
  return error instanceof Error && error.name === 'VmlError' && typeof (error as VmlError).code === 'string';
}

/** Error codes of Node's fs layer that mean "the disk is full". */
export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Turns ENOSPC and EDQUOT into E_NO_SPACE with a hint; other errors pass through unchanged. */
export function explainFsError(error: unknown, where: string): unknown {
  if (isVmlError(error)) return error;
  if (isNoSpace(error)) {
    return new VmlError('E_NO_SPACE', `Cannot write to "${where}": no space left on the device`, {
      hint: 'Free some space (or run "vml-agent gc" on the logbook) and run the command again',
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new VmlError('E_PERMISSION', `Cannot access "${where}": permission denied`, { cause: error });
  }
  return error;
}
