/**
 * Kerberos credential caches (FILE format, magic 0x0501–0x0504) and keytabs (0x0502), recognised by their
 * header and a plausible first principal, which also gives the restore hint ("kinit alice@CERN.CH").
 */

export interface KerberosFile {
  readonly kind: 'ccache' | 'keytab';
  /** The default principal (ccache) or the first entry's principal (keytab), if readable. */
  readonly principal?: string;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

class Reader {
  at: number;
  constructor(
    readonly buf: Uint8Array,
    at: number,
  ) {
    this.at = at;
  }
  u16(): number | undefined {
    if (this.at + 2 > this.buf.length) return undefined;
    const v = ((this.buf[this.at] as number) << 8) | (this.buf[this.at + 1] as number);
    this.at += 2;
    return v;
  }
  u32(): number | undefined {
    const hi = this.u16();
    const lo = this.u16();
    return hi === undefined || lo === undefined ? undefined : hi * 65536 + lo;
  }
  text(len: number | undefined): string | undefined {
    if (len === undefined || len === 0 || len > 256 || this.at + len > this.buf.length) return undefined;
    const s = Buffer.from(this.buf.subarray(this.at, this.at + len)).toString('latin1');
    this.at += len;
    return PRINTABLE.test(s) ? s : undefined;
  }
}

function principal(r: Reader, wide: boolean, countIncludesRealm: boolean): string | undefined {
  const count = wide ? r.u32() : r.u16();
  if (count === undefined || count === 0 || count > 10) return undefined;
  const realm = r.text(wide ? r.u32() : r.u16());
  if (realm === undefined) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < (countIncludesRealm ? count - 1 : count); i++) {
    const p = r.text(wide ? r.u32() : r.u16());
    if (p === undefined) return undefined;
    parts.push(p);
  }
  return `${parts.join('/')}@${realm}`;
}

/** Recognises a Kerberos ccache or keytab from its first bytes (a few hundred are enough). */
export function sniffKerberos(buf: Uint8Array): KerberosFile | undefined {
  if (buf[0] !== 0x05 || buf.length < 2) return undefined;
  const version = buf[1] as number;
  if (version === 0x02 || version === 0x01) {
    // Keytab: an empty one is just the magic; else int32 entry size, then a principal with 16-bit counts.
    if (buf.length === 2) return { kind: 'keytab' };
    const r = new Reader(buf, 2);
    const size = r.u32();
    const p = principal(r, false, version === 0x01);
    if (size !== undefined && size > 0 && size < 1 << 20 && p !== undefined)
      return { kind: 'keytab', principal: p };
  }
  if (version >= 0x01 && version <= 0x04) {
    const r = new Reader(buf, 2);
    if (version === 0x04) {
      const headerLength = r.u16();
      if (headerLength === undefined || headerLength > 1024) return undefined;
      r.at += headerLength;
    }
    r.u32(); // name type
    const p = principal(r, true, version === 0x01);
    if (p !== undefined) return { kind: 'ccache', principal: p };
  }
  return undefined;
}
