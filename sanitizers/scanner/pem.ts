/**
 * PEM and other armoured private keys: every `-----BEGIN … PRIVATE KEY-----` label (PKCS#1, PKCS#8,
 * encrypted PKCS#8, `Proc-Type: 4,ENCRYPTED`, EC, DSA, OpenSSH, PGP), RFC 4716 SSH2 keys, and grid
 * proxies: a certificate and its key in one file, told apart from a plain key pair by the proxyCertInfo
 * extension (RFC 3820, and the pre-RFC draft OID) or a legacy "CN=proxy" subject.
 */
import { X509Certificate } from 'node:crypto';

export interface ArmouredKeys {
  /** 'voms-proxy', 'x509-proxy', 'ssh-private-key', 'pgp-private-key', 'private-key'. */
  readonly type: string;
  /** True when nothing but key material (and PEM comments) is in the file, so the whole file goes. */
  readonly wholeFile: boolean;
  /** Character ranges of the private key blocks, for redaction inside a larger text. */
  readonly blocks: readonly (readonly [number, number])[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const SSH2_BLOCK =
  /---- BEGIN SSH2 (?:ENCRYPTED )?PRIVATE KEY ----[\s\S]*?---- END SSH2 (?:ENCRYPTED )?PRIVATE KEY ----/g;

/** DER bytes of OIDs found inside proxy certificates, as hex. */
const PROXY_CERT_INFO = '06082b0601050507010e'; // 1.3.6.1.5.5.7.1.14 (RFC 3820)
const PROXY_CERT_INFO_DRAFT = '060a2b060104019b5001815e'; // 1.3.6.1.4.1.3536.1.222 (GT3 draft)
const VOMS_AC = '060a2b06010401be45646405'; // 1.3.6.1.4.1.8005.100.100.5

/** Quick test before the regular expressions: true if the text may hold an armoured private key. */
export function mayHoldArmouredKey(text: string): boolean {
  return text.includes('PRIVATE KEY') || text.includes('PuTTY-User-Key-File-');
}

function certificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.push(new X509Certificate(m[0]));
    } catch {
      // Not a parsable certificate: it cannot make the file a proxy, the key block alone decides.
    }
  }
  return out;
}

function proxyType(certs: readonly X509Certificate[]): 'voms-proxy' | 'x509-proxy' | undefined {
  let proxy = false;
  let voms = false;
  for (const cert of certs) {
    const der = cert.raw.toString('hex');
    const lastCn = /CN=([^\n]*)$/.exec(cert.subject.trimEnd())?.[1];
    if (der.includes(PROXY_CERT_INFO) || der.includes(PROXY_CERT_INFO_DRAFT)) proxy = true;
    if (lastCn === 'proxy' || lastCn === 'limited proxy') proxy = true;
    if (der.includes(VOMS_AC)) voms = true;
  }
  return proxy ? (voms ? 'voms-proxy' : 'x509-proxy') : undefined;
}

/** Finds armoured private keys in `text` (a file decoded as latin1), or undefined if there are none. */
export function findArmouredKeys(text: string): ArmouredKeys | undefined {
  if (!mayHoldArmouredKey(text)) return undefined;
  if (/^PuTTY-User-Key-File-\d+:/m.test(text))
    return { type: 'putty-private-key', wholeFile: true, blocks: [] };
  const blocks: [number, number][] = [];
  const labels: string[] = [];
  let rest = text;
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] as string;
    if (label.includes('PRIVATE KEY')) {
      blocks.push([m.index, m.index + m[0].length]);
      labels.push(label);
    }
    rest = rest.replace(m[0], '');
  }
  for (const m of text.matchAll(SSH2_BLOCK)) {
    blocks.push([m.index, m.index + m[0].length]);
    labels.push('SSH2 PRIVATE KEY');
    rest = rest.replace(m[0], '');
  }
  if (blocks.length === 0) return undefined;
  // What is left besides the blocks: whitespace and OpenSSL "Bag Attributes" / "subject=" comment lines.
  const wholeFile = rest
    .split('\n')
    .every((l) => /^\s*$/.test(l) || /^(Bag Attributes|Key Attributes|\s+\S.*:|subject=|issuer=)/.test(l));
  const type =
    proxyType(certificates(text)) ??
    (labels.some((l) => l.includes('OPENSSH') || l.includes('SSH2'))
      ? 'ssh-private-key'
      : labels.some((l) => l.includes('PGP'))
        ? 'pgp-private-key'
        : 'private-key');
  return { type, wholeFile, blocks };
}
