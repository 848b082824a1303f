/**
 * Token scopes through the agent's own http backend against the real server: read, append (the shutdown
 * backup) and full access, entry globs, revocation, and the audit log.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { type Handle, isBackendError } from '../../../../logbook/backend/backend.js';
import { HttpBackend } from '../../../../logbook/backend/http.js';
import { revokeToken } from '../../../../logbook/server/admin.js';
import { tokenId } from '../../../../logbook/server/auth.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const named = (type: Handle['type'], data: Uint8Array): Handle => ({ type, name: sha(data) });
function manifest(entry: string, seq: number, visibility = 'private'): Uint8Array {
  return bytes(`${JSON.stringify({ format: 1, entry, seq, tree: 'f'.repeat(64), visibility }, null, 2)}\n`);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (isVmlError(error) || isBackendError(error)) return error.code;
    throw error;
  }
}

async function names(be: HttpBackend, type: Handle['type']): Promise<string[]> {
  const out: string[] = [];
  for await (const info of be.list(type)) out.push(info.name);
  return out.sort();
}

describe('token scopes', () => {
  let server: TestServer;
  let full: HttpBackend;
  const as = async (scope: string) => new HttpBackend(server.url, await server.token('alice', scope));

  beforeEach(async () => {
    server = await startTestServer();
    full = await as('full');
  });
  afterEach(() => server.close());

  it('a read token reads but cannot save or remove', async () => {
    const data = bytes('pack');
    await full.save(named('data', data), data);
    const read = await as('read');
    expect(await read.load(named('data', data))).toEqual(data);
    expect(await codeOf(read.save(named('data', bytes('x')), bytes('x')))).toBe('E_PERMISSION');
    expect(await codeOf(read.remove(named('data', data)))).toBe('E_PERMISSION');
    expect(await full.load(named('data', data))).toEqual(data);
  });

  it('an append token adds files and handles its locks, but never removes or replaces', async () => {
    const append = await as('append');
    const data = bytes('new pack');
    await append.save(named('data', data), data);
    await append.save(named('data', data), data); // a retry of the same upload is harmless
    expect(await codeOf(append.save({ type: 'data', name: sha(bytes('other')) }, data))).toBe('E_PERMISSION');
    await append.save({ type: 'config', name: 'config' }, bytes('{"magic":"vml-logbook"}'));
    expect(await codeOf(append.save({ type: 'config', name: 'config' }, bytes('{}')))).toBe('E_PERMISSION');
    const lock = { type: 'locks', name: '0'.repeat(32) } as const;
    await append.save(lock, bytes('{"refreshed":1}'));
    await append.save(lock, bytes('{"refreshed":2}'));
    await append.remove(lock);
    expect(await codeOf(append.remove(named('data', data)))).toBe('E_PERMISSION');
    const version = manifest('alice/vm3', 1);
    await append.save(named('snapshots', version), version);
    expect(await codeOf(append.remove(named('snapshots', version)))).toBe('E_PERMISSION');
    expect(await names(full, 'snapshots')).toEqual([sha(version)]);
    expect(await full.load({ type: 'config', name: 'config' })).toEqual(bytes('{"magic":"vml-logbook"}'));
  });

  it('an entry glob limits which versions a token sees, writes and deletes', async () => {
    const one = manifest('alice/one', 1);
    const two = manifest('alice/two', 1);
    await full.save(named('snapshots', one), one);
    await full.save(named('snapshots', two), two);
    const narrow = await as('alice/one*:full');
    expect(await names(narrow, 'snapshots')).toEqual([sha(one)]);
    expect(await codeOf(narrow.load(named('snapshots', two)))).toBe('NOT_FOUND');
    expect(await codeOf(narrow.stat(named('snapshots', two)))).toBe('NOT_FOUND');
    expect(await narrow.missing('snapshots', [sha(one), sha(two)])).toEqual([sha(two)]);
    await narrow.remove(named('snapshots', two)); // looks like removing an absent file...
    expect(await names(full, 'snapshots')).toEqual([sha(one), sha(two)].sort()); // ...and is one
    const three = manifest('alice/two', 2);
    expect(await codeOf(narrow.save(named('snapshots', three), three))).toBe('E_PERMISSION');
    await narrow.remove(named('snapshots', one));
    expect(await names(full, 'snapshots')).toEqual([sha(two)]);
  });

  it("a version must belong to the token's user and be a manifest unless the token covers everything", async () => {
    const bobs = manifest('bob/x', 1);
    expect(await codeOf(full.save(named('snapshots', bobs), bobs))).toBe('E_PERMISSION');
    const append = await as('append');
    expect(await codeOf(append.save(named('snapshots', bytes('junk')), bytes('junk')))).toBe('E_IO');
  });

  it('a revoked token stops working at once', async () => {
    const token = await server.token('alice', 'full');
    const be = new HttpBackend(server.url, token);
    await be.save(named('data', bytes('a')), bytes('a'));
    await revokeToken(server.metadata, tokenId(token) as string);
    expect(await codeOf(be.load(named('data', bytes('a'))))).toBe('E_AUTH');
  });

  it('deleting versions is audited; a public manifest without a sanitization report is refused', async () => {
    // Publishing a real public version (checked, scanned, copied, audited): test/integration/server/public.test.ts.
    const pub = manifest('alice/higgs', 4, 'public');
    expect(await codeOf(full.save(named('snapshots', pub), pub))).toBe('E_IO');
    const priv = manifest('alice/higgs', 5);
    await full.save(named('snapshots', priv), priv);
    await full.remove(named('snapshots', priv));
    const log = (await server.metadata.listAudit()).filter((r) => r.actor === 'alice');
    expect(log.map((r) => [r.action, r.target])).toEqual([
      ['delete-version', `alice/higgs@v5 (${sha(priv).slice(0, 8)})`],
    ]);
  });

  it('a stopped server is a TRANSIENT failure, so the retry wrapper retries it', async () => {
    const url = server.url;
    await server.app.close();
    const be = new HttpBackend(url, `vml_000000000000_${'A'.repeat(43)}`);
    expect(await codeOf(be.stat({ type: 'config', name: 'config' }))).toBe('TRANSIENT');
  });
});
