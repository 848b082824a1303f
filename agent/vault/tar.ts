/**
 * The vault's inner format: a POSIX (pax) tar archive of regular files, so a sealed vault can also be
 * opened by hand with standard tools: `age -d -i identity.age vault.age | tar -tv`. Each file gets a pax
 * header with its exact path and mtime (nanoseconds), then a ustar header with mode, ids and names.
 */
import { VmlError } from '../../core/errors.js';

/** One file of the vault. `path` is relative to the root, `mtime` nanoseconds since the epoch (decimal). */
export interface VaultFile {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  readonly mtime: string;
  readonly content: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `files` as one tar archive. */
export function writeTar(files: readonly VaultFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    const seconds = file.mtime.length > 9 ? file.mtime.slice(0, -9) : '0';
    const fraction = file.mtime.padStart(10, '0').slice(-9);
    const pax = paxRecords({ path: file.path, mtime: `${seconds}.${fraction}` });
    parts.push(
      header({ name: 'PaxHeader', type: 'x', size: pax.length, mode: 0o644, uid: 0, gid: 0, mtime: 0 }),
    );
    parts.push(padded(pax));
    parts.push(
      header({
        name: file.path.slice(-100), // the pax path is authoritative; this is for readers without pax
        type: '0',
        size: file.content.length,
        mode: file.mode,
        uid: file.uid,
        gid: file.gid,
        mtime: Number(seconds),
        user: file.user,
        group: file.group,
      }),
    );
    parts.push(padded(file.content));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return concat(parts);
}

/** Reads an archive `writeTar` made (pax path and mtime honoured); throws E_CORRUPT on a damaged one. */
export function readTar(bytes: Uint8Array): VaultFile[] {
  const files: VaultFile[] = [];
  let pax: Record<string, string> = {};
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const block = bytes.subarray(at, at + BLOCK);
    if (block.every((b) => b === 0)) break;
    if (checksum(block) !== octal(block, 148, 8)) throw damaged('a header checksum is wrong');
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0);
    const body = bytes.subarray(at + BLOCK, at + BLOCK + size);
    if (body.length !== size) throw damaged('it ends inside a file');
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = parsePax(body);
      continue;
    }
    if (type === '0' || type === '\0') {
      const mtime = pax.mtime ?? String(octal(block, 136, 12));
      const [sec = '0', frac = ''] = mtime.split('.');
      files.push({
        path: pax.path ?? text(block, 0, 100),
        mode: octal(block, 100, 8),
        uid: octal(block, 108, 8),
        gid: octal(block, 116, 8),
        user: text(block, 265, 32) || undefined,
        group: text(block, 297, 32) || undefined,
        mtime: (BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9))).toString(),
        content: new Uint8Array(body), // a copy, also when `bytes` is a Buffer (whose slice would not copy)
      });
    }
    pax = {};
  }
  return files;
}

interface Header {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly user?: string | undefined;
  readonly group?: string | undefined;
}

function header(h: Header): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, value: string) =>
    block.set(encoder.encode(value).subarray(0, length), offset);
  const num = (offset: number, length: number, value: number) =>
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, 100, h.name);
  num(100, 8, h.mode);
  num(108, 8, h.uid);
  num(116, 8, h.gid);
  num(124, 12, h.size);
  num(136, 12, h.mtime);
  put(156, 1, h.type);
  put(257, 8, 'ustar\u000000');
  put(265, 32, h.user ?? '');
  put(297, 32, h.group ?? '');
  put(148, 8, `${checksum(block).toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** The header checksum: the sum of its bytes with the checksum field read as spaces. */
function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum;
}

/** pax records: "LENGTH key=value\n", where LENGTH counts the whole record including itself. */
function paxRecords(values: Record<string, string>): Uint8Array {
  let out = '';
  for (const [key, value] of Object.entries(values)) {
    const rest = ` ${key}=${value}\n`;
    const restBytes = encoder.encode(rest).length;
    let length = restBytes + 1;
    while (String(length).length + restBytes !== length) length++;
    out += `${length}${rest}`;
  }
  return encoder.encode(out);
}

function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = Number(decoder.decode(body.subarray(at, space)));
    if (space < 0 || !Number.isInteger(length) || length <= 0) throw damaged('a pax record is malformed');
    const record = decoder.decode(body.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

function octal(block: Uint8Array, offset: number, length: number): number {
  const value = text(block, offset, length).trim();
  return value === '' ? 0 : Number.parseInt(value, 8);
}

function text(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function damaged(why: string): VmlError {
  return new VmlError('E_CORRUPT', `The credential vault is damaged: ${why}`);
}
