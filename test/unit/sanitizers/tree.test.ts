import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runSanitizers } from '../../../sanitizers/pipeline.js';
import { fakePem } from '../../../sanitizers/samples.js';
import { DiskTree, walkRegularFiles } from '../../../sanitizers/tree.js';

let dir: string;
let root: string;
let outside: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-tree-'));
  root = join(dir, 'root');
  outside = join(dir, 'outside');
  await mkdir(join(root, 'home/alice'), { recursive: true });
  await mkdir(outside);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the staged tree', () => {
  test('links out of the root are neither followed nor changed', async () => {
    const key = fakePem('RSA PRIVATE KEY', 'outside');
    await writeFile(join(outside, 'userkey.pem'), key);
    await writeFile(join(outside, 'db.cfg'), 'password = VmlFakeOutsidePw\n');
    await mkdir(join(root, 'home/alice/.globus'));
    await symlink(join(outside, 'userkey.pem'), join(root, 'home/alice/.globus/userkey.pem'));
    await symlink(outside, join(root, 'home/alice/linked-dir'));
    const { findings } = await runSanitizers(root, { dryRun: false });
    expect(findings).toEqual([]);
    expect(await readFile(join(outside, 'userkey.pem'), 'utf8')).toBe(key);
    expect(await readFile(join(outside, 'db.cfg'), 'utf8')).toBe('password = VmlFakeOutsidePw\n');
    expect((await walkRegularFiles(root)).files).toEqual([]);
  });

  test('a file that cannot be read is removed and reported with the reason (fail closed)', async () => {
    // Root reads everything, so the unreadable file is a directory the walk listed as a file (a race).
    await mkdir(join(root, 'home/alice/was-a-file'));
    const unreadable: string[] = [];
    const tree = new DiskTree(root, ['home/alice/was-a-file'], {
      dryRun: false,
      onUnreadable: (path, reason) => unreadable.push(`${path}: ${reason}`),
    });
    expect(await tree.read('home/alice/was-a-file')).toBeUndefined();
    expect(unreadable).toEqual([
      'home/alice/was-a-file: cannot be read (EISDIR): kept out, since it could not be checked',
    ]);
    expect(tree.files()).toEqual([]);
  });

  test('a dry run changes nothing but reports what the real run does', async () => {
    await mkdir(join(root, 'home/alice/.ssh'));
    await writeFile(join(root, 'home/alice/.ssh/id_rsa'), fakePem('RSA PRIVATE KEY', 'dry'));
    await writeFile(join(root, 'home/alice/.bashrc'), 'export API_TOKEN=VmlFakeDryRunToken99\n');
    const dry = await runSanitizers(root, { dryRun: true });
    expect(await readFile(join(root, 'home/alice/.bashrc'), 'utf8')).toBe(
      'export API_TOKEN=VmlFakeDryRunToken99\n',
    );
    const real = await runSanitizers(root, { dryRun: false });
    expect(dry.findings).toEqual(real.findings);
    expect(real.findings.map((f) => `${f.sanitizer} ${f.action} ${f.path}`)).toEqual([
      'ssh-user-keys delete home/alice/.ssh/id_rsa',
      'shell-rc-secrets redact home/alice/.bashrc',
    ]);
    expect(await readFile(join(root, 'home/alice/.bashrc'), 'utf8')).toBe('export API_TOKEN=\n');
  });

  test("homes come from the root's passwd, wherever they are", async () => {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/passwd'), 'atlasprd:x:500:500::/var/lib/atlasprd:/bin/bash\n');
    await mkdir(join(root, 'var/lib/atlasprd'), { recursive: true });
    await writeFile(join(root, 'var/lib/atlasprd/.netrc'), 'machine x login y password VmlFakeSvcPw\n');
    const { findings } = await runSanitizers(root, { selection: 'netrc', dryRun: false });
    expect(findings.map((f) => f.path)).toEqual(['var/lib/atlasprd/.netrc']);
  });
});
