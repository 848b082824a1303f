/**
 * Signed "letters", the shape of `.cvmfspublished` and `.cvmfswhitelist`: text lines, a "--" line, the hex
 * hash of the text, a newline, then the binary signature over that hex string.
 */
import { VmlError } from '../../../core/errors.js';
import { digest, type HashAlgorithm } from './hash.js';

export interface Letter {
  /** The signed text (everything before the "--" line), with its final newline. */
  readonly text: string;
  /** The lines of `text`, without empty ones. */
  readonly lines: readonly string[];
  /** The hex hash line, exactly as it is signed. */
  readonly hashLine: string;
  readonly signature: Buffer;
}

const SEPARATOR = Buffer.from('\n--\n');

/**
 * Splits a letter and checks that the hash line is the hash of the text (with `algorithm`, or the one the
 * hash line names). Throws E_CORRUPT naming `what` when the shape or the hash is wrong.
 */
export function openLetter(data: Uint8Array, what: string, algorithm?: HashAlgorithm): Letter {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const sep = bytes.indexOf(SEPARATOR);
  if (sep < 0) throw malformed(what, 'no "--" line before the signature');
  const textBytes = bytes.subarray(0, sep + 1);
  const hashEnd = bytes.indexOf(0x0a, sep + SEPARATOR.length);
  if (hashEnd < 0) throw malformed(what, 'no hash line after "--"');
  const hashLine = bytes.subarray(sep + SEPARATOR.length, hashEnd).toString('latin1');
  const m = /^([0-9a-f]{40})(-rmd160|-shake128)?$/.exec(hashLine);
  if (!m) throw malformed(what, `invalid hash line "${hashLine.slice(0, 60)}"`);
  const named: HashAlgorithm = m[2] === '-rmd160' ? 'rmd160' : m[2] === '-shake128' ? 'shake128' : 'sha1';
  const actual = digest(algorithm ?? named, textBytes);
  if (actual !== m[1]) {
    throw new VmlError('E_CORRUPT', `Refusing ${what}: its content does not match its signed hash`, {
      hint: 'The file was modified after it was signed, or damaged in transit; try another server',
    });
  }
  const text = textBytes.toString('utf8');
  return {
    text,
    lines: text.split('\n').filter((l) => l !== ''),
    hashLine,
    signature: bytes.subarray(hashEnd + 1),
  };
}

function malformed(what: string, detail: string): VmlError {
  return new VmlError('E_CORRUPT', `Cannot read ${what}: ${detail}`, {
    hint: 'The server did not return a CernVM-FS repository file; check the server URL',
  });
}
