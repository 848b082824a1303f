/**
 * Sealing and opening the credential vault: a tar of the long-lived credential files (tar.ts), encrypted
 * with age to the owner's recipient. Sealing needs only the public recipient, so the unattended shutdown
 * backup can do it; opening needs the owner's identity.
 */
import { Decrypter, Encrypter } from 'age-encryption';
import { VmlError } from '../../core/errors.js';
import { readTar, type VaultFile, writeTar } from './tar.js';

/** The attachment name of the vault in a private version (per step: `<step id>.vault.age`). */
export const VAULT_ATTACHMENT = 'vault.age';

/** Encrypts `files` to `recipient` (`age1…`). */
export async function sealVault(files: readonly VaultFile[], recipient: string): Promise<Uint8Array> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return encrypter.encrypt(writeTar(files));
}

/** Decrypts a vault with `identity` (`AGE-SECRET-KEY-1…`); E_AUTH when it was sealed to another key. */
export async function openVault(sealed: Uint8Array, identity: string): Promise<VaultFile[]> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  let plain: Uint8Array;
  try {
    plain = await decrypter.decrypt(sealed);
  } catch (cause) {
    throw new VmlError('E_AUTH', 'Cannot open the credential vault: it was sealed to another identity', {
      hint: 'Pass --identity with the identity file whose public key is in /etc/vml/agent.yaml (recipient)',
      cause,
    });
  }
  return readTar(plain);
}
