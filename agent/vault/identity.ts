/**
 * The owner's age identity: an X25519 key pair whose public half (the recipient) seals every private
 * version's credential vault, so an unattended backup needs no secret, and whose private half lives only
 * in a passphrase-protected file the owner keeps (age's own scrypt recipient: `age -d` opens it too).
 */
import { chown, link, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { VmlError } from '../../core/errors.js';

/** Where `init` keeps the identity, relative to the owner's home. */
export const IDENTITY_IN_HOME = '.config/vml/identity.age';

/** An opened identity: the secret key (`AGE-SECRET-KEY-1…`) and its recipient (`age1…`). */
export interface OpenedIdentity {
  readonly identity: string;
  readonly recipient: string;
}

/** The default identity file of a home (root-relative, no leading "/"), as an absolute path under `root`. */
export function defaultIdentityPath(root: string, home: string): string {
  return join(root, home, IDENTITY_IN_HOME);
}

/**
 * Creates a new identity file at `path` (mode 0600 in a 0700 directory, owned by `owner` when given),
 * encrypted with `passphrase`; refuses to replace an existing one, whose loss would lock its vaults.
 */
export async function createIdentity(
  path: string,
  passphrase: string,
  owner?: { readonly uid: number; readonly gid: number },
): Promise<OpenedIdentity> {
  // Checked first to spare a second of scrypt; link() below still refuses one that appears meanwhile.
  if (await lstat(path).catch(() => undefined)) throw identityExists(path);
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  // The age-keygen layout, so `age -d -i FILE` accepts the decrypted file as an identity file.
  const text = `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  const encrypter = new Encrypter();
  encrypter.setPassphrase(passphrase);
  const sealed = await encrypter.encrypt(text);
  const dir = dirname(path);
  const firstMade = await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, sealed, { mode: 0o600, flag: 'wx' });
  if (owner) {
    // Every directory made here (~/.config too, if it was missing) belongs to the owner, not to root.
    for (let d = dir; firstMade !== undefined && d.length >= firstMade.length; d = dirname(d)) {
      await chown(d, owner.uid, owner.gid);
    }
    await chown(temp, owner.uid, owner.gid);
  }
  try {
    // link() never replaces: an identity that appeared meanwhile is kept, not overwritten.
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw identityExists(path);
  } finally {
    await unlink(temp);
  }
  return { identity, recipient };
}

/** Opens the identity file at `path` with `passphrase`; E_AUTH for a wrong passphrase. */
export async function openIdentity(path: string, passphrase: string): Promise<OpenedIdentity> {
  let sealed: Uint8Array;
  try {
    sealed = await readFile(path);
  } catch (cause) {
    throw new VmlError('E_NOT_FOUND', `Cannot read the identity file "${path}"`, {
      hint: 'Pass --identity FILE with the identity "vml-agent init" created (the copy you saved off the VM)',
      cause,
    });
  }
  const decrypter = new Decrypter();
  decrypter.addPassphrase(passphrase);
  let text: string;
  try {
    text = await decrypter.decrypt(sealed, 'text');
  } catch (cause) {
    throw new VmlError(
      'E_AUTH',
      `Cannot open the identity file "${path}": wrong passphrase or not an identity`,
      {
        hint: 'Check the passphrase (VML_IDENTITY_PASSPHRASE or the prompt)',
        cause,
      },
    );
  }
  const identity = text.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (identity === undefined) {
    throw new VmlError('E_AUTH', `The identity file "${path}" holds no age secret key`);
  }
  return { identity: identity.trim(), recipient: await identityToRecipient(identity.trim()) };
}

function identityExists(path: string): VmlError {
  return new VmlError('E_USAGE', `An identity already exists at "${path}"`, {
    hint: 'Keep it: the vaults of earlier versions open only with it',
  });
}
