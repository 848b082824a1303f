import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import {
  blobIdOf,
  decodeTree,
  encodeTree,
  isSafeName,
  type TreeNode,
} from '../../../../logbook/format/tree.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const ID = 'f'.repeat(64);
const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const file = (name: string, extra: Partial<TreeNode> = {}): TreeNode => ({
  name,
  type: 'file',
  mode: 0o644,
  uid: 1000,
  gid: 1000,
  mtime: '1700000000123456789',
  size: 3,
  content: ['a'.repeat(64)],
  ...extra,
});

describe('encodeTree()', () => {
  it('gives the same bytes whatever the key order of the nodes', () => {
    const a = file('x', { user: 'alice', xattrs: { 'user.k': 'dg==' } });
    const b: TreeNode = {
      xattrs: { 'user.k': 'dg==' },
      content: ['a'.repeat(64)],
      size: 3,
      mtime: '1700000000123456789',
      user: 'alice',
      gid: 1000,
      uid: 1000,
      mode: 0o644,
      type: 'file',
      name: 'x',
    };
    expect(encodeTree({ nodes: [b] })).toEqual(encodeTree({ nodes: [a] }));
  });

  it('gives the same bytes whether absent fields are left out or undefined', () => {
    const explicit = file('x', {
      user: undefined,
      sparse: undefined,
      hardlink: undefined,
      xattrs: undefined,
    });
    expect(encodeTree({ nodes: [explicit] })).toEqual(encodeTree({ nodes: [file('x')] }));
    expect(new TextDecoder().decode(encodeTree({ nodes: [explicit] }))).not.toContain('user');
  });

  it('sorts nodes by name', () => {
    const tree = decodeTree(encodeTree({ nodes: [file('b'), file('a'), file('C')] }), ID);
    expect(tree.nodes.map((n) => n.name)).toEqual(['C', 'a', 'b']);
  });

  it('writes compact JSON with the keys in the order FORMAT.md lists', () => {
    const node = file('x', {
      user: 'alice',
      group: 'zp',
      sparse: true,
      hardlink: '2049:77',
      xattrs: { 'user.k': '' },
    });
    expect(new TextDecoder().decode(encodeTree({ nodes: [node] }))).toBe(
      '{"nodes":[{"name":"x","type":"file","mode":420,"uid":1000,"gid":1000,"user":"alice","group":"zp",' +
        `"mtime":"1700000000123456789","size":3,"content":["${'a'.repeat(64)}"],"sparse":true,` +
        '"hardlink":"2049:77","xattrs":{"user.k":""}}]}',
    );
  });

  it('throws on two nodes with the same name', () => {
    expect(() => encodeTree({ nodes: [file('a'), file('b'), file('a')] })).toThrow(/Duplicate name/);
  });

  it('encodes an empty directory', () => {
    expect(new TextDecoder().decode(encodeTree({ nodes: [] }))).toBe('{"nodes":[]}');
  });
});

describe('decodeTree()', () => {
  it('reads back every kind of node', () => {
    const nodes: TreeNode[] = [
      file('f', { hardlink: '1:2', sparse: true, xattrs: { 'security.selinux': 'AA==' } }),
      { name: 'd', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '1', subtree: ID },
      { name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: '1', target: '../etc/passwd' },
      { name: 'n', type: 'chardev', mode: 0o600, uid: 0, gid: 0, mtime: '1', rdev: 259 },
      { name: 'p', type: 'fifo', mode: 0o600, uid: 0, gid: 0, mtime: '1' },
    ];
    const back = decodeTree(encodeTree({ nodes }), ID);
    expect(back.nodes).toEqual([...nodes].sort((a, b) => (a.name < b.name ? -1 : 1)));
  });

  it.each(['..', '.', 'a/b', '/', '', 'a\0b'])('refuses the name %j with E_UNSAFE_PATH', (name) => {
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), name }] }), ID)).toThrow(vmlError('E_UNSAFE_PATH'));
  });

  it('refuses a name that is not a string with E_UNSAFE_PATH', () => {
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), name: 7 }] }), ID)).toThrow(
      vmlError('E_UNSAFE_PATH'),
    );
  });

  it('accepts names that only look odd', () => {
    for (const name of ['...', '.hidden', 'a\\b', 'ä b', ' ']) {
      expect(decodeTree(enc({ nodes: [file(name)] }), ID).nodes[0]?.name).toBe(name);
    }
  });

  it('refuses an unknown node type with E_CORRUPT', () => {
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), type: 'door' }] }), ID)).toThrow(
      vmlError('E_CORRUPT'),
    );
  });

  it('refuses a directory without a subtree with E_CORRUPT', () => {
    const dir = { name: 'd', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '1' };
    expect(() => decodeTree(enc({ nodes: [dir] }), ID)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuses a file without content and a symlink without target with E_CORRUPT', () => {
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), content: undefined }] }), ID)).toThrow(
      vmlError('E_CORRUPT'),
    );
    const link = { name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: '1' };
    expect(() => decodeTree(enc({ nodes: [link] }), ID)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuses a node without mode or mtime with E_CORRUPT', () => {
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), mode: '644' }] }), ID)).toThrow(
      vmlError('E_CORRUPT'),
    );
    expect(() => decodeTree(enc({ nodes: [{ ...file('x'), mtime: 17 }] }), ID)).toThrow(
      vmlError('E_CORRUPT'),
    );
  });

  it('refuses bytes that are not a tree with E_CORRUPT', () => {
    for (const text of ['not json', 'null', '{}', '{"nodes":{}}', '{"nodes":[null]}', '{"nodes":[3]}']) {
      expect(() => decodeTree(new TextEncoder().encode(text), ID)).toThrow(vmlError('E_CORRUPT'));
    }
  });
});

describe('isSafeName()', () => {
  it('allows one path component and nothing else', () => {
    expect(['a', '...', '.x', 'a b'].every(isSafeName)).toBe(true);
    expect(['', '.', '..', 'a/b', '/', 'a\0'].some(isSafeName)).toBe(false);
  });
});

describe('blobIdOf()', () => {
  it('is the SHA-256 of the plain bytes, in lowercase hex', () => {
    expect(blobIdOf(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
