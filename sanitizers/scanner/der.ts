/**
 * DER structure sniffing for binary key containers: PKCS#12 (.p12/.pfx), PKCS#8 private keys (plain and
 * encrypted), PKCS#1 RSA and SEC1 EC private keys. A file matches only if its whole length is one DER
 * SEQUENCE with the expected children, so data files that merely start with 0x30 do not.
 */

interface Tlv {
  readonly tag: number;
  readonly start: number; // first content byte
  readonly end: number; // one past the last content byte
}

function readTlv(buf: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = buf[at] as number;
  let len = buf[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function children(buf: Uint8Array, parent: Tlv, max = 16): Tlv[] | undefined {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const t = readTlv(buf, at, parent.end);
    if (t === undefined || out.length >= max) return undefined;
    out.push(t);
    at = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;

function hex(buf: Uint8Array, t: Tlv): string {
  return Buffer.from(buf.subarray(t.start, t.end)).toString('hex');
}

function smallInt(buf: Uint8Array, t: Tlv | undefined): number | undefined {
  if (t?.tag !== INTEGER || t.end - t.start !== 1) return undefined;
  return buf[t.start];
}

/** OID prefixes, as DER content hex: PKCS#7 content types, PKCS#5 and PKCS#12 encryption schemes. */
const PKCS7_DATA = '2a864886f70d0107';
const PKCS5 = '2a864886f70d0105';
const PKCS12_PBE = '2a864886f70d010c';

export type DerKind =
  | 'pkcs12'
  | 'pkcs8-private-key'
  | 'pkcs8-encrypted-private-key'
  | 'rsa-private-key'
  | 'ec-private-key';

/** What kind of DER key container `buf` is, if any. */
export function sniffDer(buf: Uint8Array): DerKind | undefined {
  if (buf[0] !== SEQUENCE) return undefined;
  const top = readTlv(buf, 0, buf.length);
  // Allow a few bytes of padding some tools append, no more.
  if (top === undefined || buf.length - top.end > 16) return undefined;
  const kids = children(buf, top);
  if (kids === undefined || kids.length < 2) return undefined;
  const [a, b, c] = kids as [Tlv, Tlv, Tlv | undefined];
  const first = smallInt(buf, a);
  const firstOf = (t: Tlv) => (t.tag === SEQUENCE ? children(buf, t)?.[0] : undefined);
  if (first === 3 && b.tag === SEQUENCE) {
    const oid = firstOf(b);
    if (oid?.tag === OID && hex(buf, oid).startsWith(PKCS7_DATA)) return 'pkcs12';
  }
  if ((first === 0 || first === 1) && b.tag === SEQUENCE && c?.tag === OCTET_STRING) {
    if (firstOf(b)?.tag === OID) return 'pkcs8-private-key';
  }
  if (kids.length === 2 && a.tag === SEQUENCE && b.tag === OCTET_STRING) {
    const oid = firstOf(a);
    if (oid?.tag === OID && (hex(buf, oid).startsWith(PKCS5) || hex(buf, oid).startsWith(PKCS12_PBE))) {
      return 'pkcs8-encrypted-private-key';
    }
  }
  if (first === 0 && kids.length === 9 && kids.every((k) => k.tag === INTEGER)) return 'rsa-private-key';
  if (
    first === 1 &&
    b.tag === OCTET_STRING &&
    kids.length <= 4 &&
    kids.slice(2).every((k) => (k.tag & 0xe0) === 0xa0)
  ) {
    return 'ec-private-key';
  }
  return undefined;
}
