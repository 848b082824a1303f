/**
 * The passphrase of the owner's identity file: from VML_IDENTITY_PASSPHRASE (scripts, tests) or asked on
 * the terminal with echo off. Never echoed, logged or put in an event.
 */
import { VmlError } from '../../core/errors.js';

/** The environment variable scripts use instead of the terminal prompt. */
export const PASSPHRASE_ENV = 'VML_IDENTITY_PASSPHRASE';

/** Shortest passphrase `init` accepts: the identity file may be copied anywhere, so it must resist guessing. */
export const MIN_PASSPHRASE = 8;

/** Whether a passphrase can be had without failing: from the environment, or a terminal to ask on. */
export function passphraseAvailable(): boolean {
  const fromEnv = process.env[PASSPHRASE_ENV];
  return (fromEnv !== undefined && fromEnv !== '') || process.stdin.isTTY === true;
}

/**
 * The passphrase from the environment, else from the terminal (asked twice when `confirm`). Throws E_USAGE
 * when there is neither, so an unattended run fails clearly instead of hanging.
 */
export async function readPassphrase(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (process.stdin.isTTY !== true) {
    throw new VmlError('E_USAGE', 'Cannot ask for the identity passphrase: no terminal', {
      hint: `Run in a terminal, or set ${PASSPHRASE_ENV} in the environment`,
    });
  }
  const first = await askHidden(`${prompt}: `);
  if (options.confirm) {
    const second = await askHidden('Repeat the passphrase: ');
    if (first !== second) throw new VmlError('E_USAGE', 'The two passphrases differ');
  }
  return first;
}

/** Reads one line from the terminal in raw mode, so the typed characters are not shown. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new VmlError('E_INTERRUPTED', 'Interrupted'));
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else text += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
