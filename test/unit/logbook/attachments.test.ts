/** Version attachments: stored beside the files, read back verified, kept by gc, walked by check. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../../logbook/backend/memory.js';
import { check } from '../../../logbook/check.js';
import { gc } from '../../../logbook/gc.js';
import { Logbook } from '../../../logbook/logbook.js';
import { addDir, commit, testVersionFields } from '../../helpers/versions.js';

const MiB = 1024 * 1024;

async function versionWithAttachments(logbook: Logbook, files: Map<string, Uint8Array>): Promise<string> {
  const w = await logbook.beginVersion('alice/a');
  const tree = await addDir(w, [[['notes.txt'], new TextEncoder().encode('hello\n')]]);
  const attachments = await w.addAttachments(files);
  const { id } = await w.commit({ ...testVersionFields(tree, 1, 6), attachments });
  return id;
}

describe('version attachments', () => {
  it('read back byte-identical, including one spanning several pieces; a missing name is undefined', async () => {
    const logbook = await Logbook.init(new MemoryBackend());
    const big = randomBytes(2 * MiB + 17);
    const small = new TextEncoder().encode('diff --git a/x b/x\n');
    await versionWithAttachments(
      logbook,
      new Map([
        ['vault.age', big],
        ['git.work.patch', small],
      ]),
    );
    const { manifest } = await logbook.resolve('alice/a@v1');
    expect(Buffer.from((await logbook.readAttachment(manifest, 'vault.age')) ?? []).equals(big)).toBe(true);
    expect(Buffer.from((await logbook.readAttachment(manifest, 'git.work.patch')) ?? [])).toEqual(
      Buffer.from(small),
    );
    expect(await logbook.readAttachment(manifest, 'nothing')).toBeUndefined();
    // Attachments are not files of the root: the version's tree holds only notes.txt.
    expect((await logbook.readTree(manifest.tree)).nodes.map((n) => n.name)).toEqual(['notes.txt']);
  });

  it('gc keeps the data of attachments while their version lives, and reclaims it once deleted', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const payload = randomBytes(300_000);
    const id = await versionWithAttachments(logbook, new Map([['vault.age', payload]]));
    await commit(logbook, 'alice/b', { 'other.txt': new TextEncoder().encode('x') });
    const first = await gc(logbook, { graceMs: 0 });
    const reopened = await Logbook.open(backend);
    const { manifest } = await reopened.resolve('alice/a@v1');
    expect(Buffer.from((await reopened.readAttachment(manifest, 'vault.age')) ?? []).equals(payload)).toBe(
      true,
    );
    expect(
      (await check(reopened, { readData: true })).problems.filter((p) => p.severity === 'error'),
    ).toEqual([]);
    await backend.remove({ type: 'snapshots', name: id });
    const second = await gc(await Logbook.open(backend), { graceMs: 0 });
    // Live before: alice/a's file chunk, root tree, attachment chunk and attachments tree, and alice/b's
    // chunk and root tree. After deleting alice/a only alice/b's two remain.
    expect(first.blobsLive).toBe(6);
    expect(second.blobsLive).toBe(2);
  });
});
