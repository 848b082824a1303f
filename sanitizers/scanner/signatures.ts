/**
 * Content signatures: recognises credential files by their bytes wherever they are, whatever their name.
 * Each detector looks only at what it needs (magic numbers, a parsed header, armoured blocks).
 */
import { sniffDer } from './der.js';
import { sniffKerberos } from './kerberos.js';
import { findArmouredKeys } from './pem.js';

export interface Detection {
  readonly type: string;
  /** Unset for things that are not credentials but still must not be published (core dumps). */
  readonly credential?: 'session' | 'long-lived';
  readonly restoreHint?: string;
  /** Set when only these character ranges (of the latin1 text) are secret: redact them, keep the file. */
  readonly blocks?: readonly (readonly [number, number])[];
}

/** How many leading bytes the binary detectors need. */
export const HEAD_BYTES = 4096;

const PROXY_HINT = 'voms-proxy-init -voms atlas';
const SSS_LINE = /^\d+ u:\S+ g:\S+ n:\S+ N:\d+ c:\d+ e:\d+ (?:f:\S* )?k:[0-9a-fA-F]+/m;

function startsWith(buf: Uint8Array, magic: string | readonly number[]): boolean {
  const bytes = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic;
  if (buf.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[i] !== bytes[i]) return false;
  return true;
}

/** Binary formats recognised from the first HEAD_BYTES bytes (and the file size for DER). */
export function detectBinary(head: Uint8Array, size: number): Detection | undefined {
  const krb = sniffKerberos(head);
  if (krb?.kind === 'ccache') {
    return {
      type: 'kerberos-ccache',
      credential: 'session',
      restoreHint: `kinit ${krb.principal ?? ''}`.trim(),
    };
  }
  if (krb?.kind === 'keytab') {
    const who = krb.principal ? ` for ${krb.principal}` : '';
    return {
      type: 'kerberos-keytab',
      credential: 'long-lived',
      restoreHint: `ask for a new keytab${who} (ktutil)`,
    };
  }
  if (head[0] === 0x30 && size <= 64 * 1024 && head.length === size) {
    const der = sniffDer(head);
    if (der === 'pkcs12')
      return { type: 'pkcs12', credential: 'long-lived', restoreHint: 'copy your .p12 back' };
    if (der !== undefined) return { type: 'private-key', credential: 'long-lived' };
  }
  if (startsWith(head, 'GnomeKeyring\n\r\0\n')) return { type: 'gnome-keyring', credential: 'long-lived' };
  if (startsWith(head, 'KWALLET\n\r\0\r\n')) return { type: 'kwallet', credential: 'long-lived' };
  if (startsWith(head, [0xfe, 0xed, 0xfe, 0xed]) || startsWith(head, [0xce, 0xce, 0xce, 0xce])) {
    return { type: 'java-keystore', credential: 'long-lived' };
  }
  if (startsWith(head, 'SQLite format 3\0') && Buffer.from(head).includes('nssPrivate')) {
    return { type: 'nss-key-database', credential: 'long-lived' };
  }
  // ELF, e_type ET_CORE (4) in either byte order: a process's memory, which may hold any secret.
  if (startsWith(head, '\x7fELF') && head.length > 18) {
    const type = head[5] === 2 ? ((head[16] as number) << 8) | (head[17] as number) : head[16];
    if (type === 4) return { type: 'core-dump' };
  }
  return undefined;
}

/** Text formats: armoured keys and proxies, cookie jars, xrootd sss keytabs. `text` is the file as latin1. */
export function detectText(text: string): Detection | undefined {
  const keys = findArmouredKeys(text);
  if (keys !== undefined) {
    const proxy = keys.type === 'voms-proxy' || keys.type === 'x509-proxy';
    return {
      type: keys.type,
      credential: proxy ? 'session' : 'long-lived',
      ...(proxy ? { restoreHint: PROXY_HINT } : {}),
      ...(keys.wholeFile ? {} : { blocks: keys.blocks }),
    };
  }
  if (/^# (?:Netscape )?HTTP Cookie File/.test(text)) {
    return { type: 'cookie-jar', credential: 'session', restoreHint: 'auth-get-sso-cookie -u URL -o FILE' };
  }
  if (SSS_LINE.test(text)) return { type: 'xrootd-sss-keytab', credential: 'long-lived' };
  return undefined;
}
