import { constants, createHash, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAssignments } from '../../../../agent/software/cvmfs/config.js';
import { hashFromBlob, objectPath, parseHash, pathKey } from '../../../../agent/software/cvmfs/hash.js';
import { expandServerUrl } from '../../../../agent/software/cvmfs/http.js';
import {
  parseProxyChain,
  planRoutes,
  proxyChainProblem,
  routeName,
} from '../../../../agent/software/cvmfs/proxy.js';
import { verifyWhitelist } from '../../../../agent/software/cvmfs/whitelist.js';
import { decodeXattrs } from '../../../../agent/software/cvmfs/xattrs.js';

const HEX = 'fb9c8e58177c40a7ce8c6324899eeba73730704d';

describe('hash', () => {
  it('objectPath() adds the algorithm id and the kind suffix', () => {
    expect(objectPath(parseHash(HEX, 't'), 'C')).toBe(`data/fb/${HEX.slice(2)}C`);
    expect(objectPath(parseHash(`${HEX}-rmd160`, 't'), 'P')).toBe(`data/fb/${HEX.slice(2)}-rmd160P`);
    expect(objectPath(parseHash(`${HEX}-shake128`, 't'), '')).toBe(`data/fb/${HEX.slice(2)}-shake128`);
  });
  it('parseHash() refuses what is not a content hash', () => {
    expect(() => parseHash('xyz', 'the test')).toThrow(/Invalid content hash "xyz" in the test/);
  });
  it('hashFromBlob() takes the algorithm from bits 8-10 of the flags', () => {
    const blob = Buffer.from(HEX, 'hex');
    expect(hashFromBlob(blob, 4, 't').algorithm).toBe('sha1');
    expect(hashFromBlob(blob, 4 | (1 << 8), 't').algorithm).toBe('rmd160');
    expect(hashFromBlob(blob, 4 | (2 << 8), 't').algorithm).toBe('shake128');
  });
  it('pathKey() of the root is the MD5 of the empty string, as the manifest R field says', () => {
    const [a, b] = pathKey('');
    const md5 = Buffer.alloc(16);
    md5.writeBigInt64LE(a, 0);
    md5.writeBigInt64LE(b, 8);
    expect(md5.toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });
});

describe('CVMFS_HTTP_PROXY', () => {
  it('parses ";" failover groups and "|" load-balanced proxies', () => {
    expect(parseProxyChain('http://a:3128|http://b:3128;direct')).toEqual([
      ['http://a:3128', 'http://b:3128'],
      ['DIRECT'],
    ]);
    expect(parseProxyChain('')).toEqual([['DIRECT']]);
  });
  it('orders routes group by group, rotating the members of a group for load balancing', () => {
    const chain = parseProxyChain('http://a:3128|b:3128|http://c:3128;DIRECT');
    const names = (random: number) => planRoutes(chain, 'x.cern.ch', () => random).routes.map(routeName);
    expect(names(0)).toEqual(['http://a:3128', 'http://b:3128', 'http://c:3128', 'DIRECT']);
    expect(names(0.5)).toEqual(['http://b:3128', 'http://c:3128', 'http://a:3128', 'DIRECT']);
  });
  it('passes over "auto" with a reason and refuses a chain with nothing usable', () => {
    const plan = planRoutes(parseProxyChain('auto;DIRECT'), 'x.cern.ch');
    expect(plan.routes.map(routeName)).toEqual(['DIRECT']);
    expect(plan.skipped[0]?.reason).toMatch(/PAC/);
    expect(() => planRoutes(parseProxyChain('auto'), 'x.cern.ch')).toThrow(/No usable HTTP proxy/);
  });
  it('names what is wrong in a malformed chain', () => {
    expect(proxyChainProblem('http://squid:3128|http://squid2:3128;DIRECT')).toBeUndefined();
    expect(proxyChainProblem('https://squid:3128')).toMatch(/"https:\/\/squid:3128" is not DIRECT/);
    expect(proxyChainProblem('http://squid:3128/path')).toMatch(/is not DIRECT/);
    expect(() => planRoutes(parseProxyChain('ftp://x'), 'x.cern.ch')).toThrow(
      /Invalid HTTP proxy "ftp:\/\/x"/,
    );
  });
});

describe('client configuration', () => {
  it('reads quoted assignments and expands earlier variables', () => {
    const vars = parseAssignments(
      `# comment\nCVMFS_SERVER_URL="http://s1/cvmfs/@fqrn@"\nexport CVMFS_SERVER_URL="\${CVMFS_SERVER_URL};http://s2/cvmfs/@fqrn@" # more\nCVMFS_KEYS_DIR='/etc/cvmfs/keys/cern.ch'\nif [ x ]; then\n`,
      {},
    );
    expect(vars.CVMFS_SERVER_URL).toBe('http://s1/cvmfs/@fqrn@;http://s2/cvmfs/@fqrn@');
    expect(vars.CVMFS_KEYS_DIR).toBe('/etc/cvmfs/keys/cern.ch');
    expect(expandServerUrl('http://s1/cvmfs/@fqrn@/', 'atlas.cern.ch')).toBe('http://s1/cvmfs/atlas.cern.ch');
    expect(expandServerUrl('http://s1/@org@', 'atlas.cern.ch')).toBe('http://s1/atlas');
  });
});

describe('xattrs', () => {
  it('decodes the catalog BLOB and refuses a truncated one', () => {
    const blob = Buffer.concat([
      Buffer.from([1, 1, 3, 2]),
      Buffer.from('user.a'.slice(0, 3)),
      Buffer.from('ok'),
    ]);
    expect(decodeXattrs(blob, 'x')).toEqual({ use: Buffer.from('ok') });
    expect(() => decodeXattrs(blob.subarray(0, 5), '/p')).toThrow(/extended attributes of \/p: truncated/);
  });
});

describe('verifyWhitelist()', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const make = (expires: string, name = 'x.cern.ch') => {
    const text = `20260101000000\nE${expires}\nN${name}\nAA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD\n`;
    const hash = createHash('sha1').update(text).digest('hex');
    const sig = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(hash));
    return Buffer.concat([Buffer.from(`${text}--\n${hash}\n`), sig]);
  };
  const keys = [{ source: 'test.pub', key: publicKey }];
  it('accepts a valid one and compares the expiry on the hour', () => {
    const wl = verifyWhitelist(make('20300101120000'), 'x.cern.ch', {
      keys,
      now: new Date('2030-01-01T11:59:00Z'),
    });
    expect(wl.fingerprints).toHaveLength(1);
    expect(() =>
      verifyWhitelist(make('20300101125959'), 'x.cern.ch', { keys, now: new Date('2030-01-01T12:00:00Z') }),
    ).toThrow(/expired/);
  });
  it('refuses another repository and an unknown key', () => {
    expect(() => verifyWhitelist(make('20990101000000', 'y.cern.ch'), 'x.cern.ch', { keys })).toThrow(
      /"y.cern.ch"/,
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() =>
      verifyWhitelist(make('20990101000000'), 'x.cern.ch', { keys: [{ source: 'other.pub', key: other }] }),
    ).toThrow(/does not verify with the master key "other.pub"/);
  });
});
