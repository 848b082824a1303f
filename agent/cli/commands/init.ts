/** vml-agent init: create the logbook if needed, the owner's age identity, and write /etc/vml/agent.yaml. */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { VmlError } from '../../../core/errors.js';
import { isBackendError } from '../../../logbook/backend/backend.js';
import { openBackend, stripCredentials } from '../../../logbook/backend/open.js';
import { Logbook } from '../../../logbook/logbook.js';
import { checkEntryName } from '../../../logbook/version-spec.js';
import { CONFIG_PATH } from '../../config/load.js';
import { loadRecipe } from '../../recipes/load.js';
import { homeOf, readAccounts } from '../../steps/files/owners.js';
import { createIdentity, defaultIdentityPath, openIdentity } from '../../vault/identity.js';
import {
  MIN_PASSPHRASE,
  PASSPHRASE_ENV,
  passphraseAvailable,
  readPassphrase,
} from '../../vault/passphrase.js';
import { type CommandDefinition, requireLogbook } from '../command.js';

export const initCommand: CommandDefinition = {
  name: 'init',
  summary: 'Create the logbook (if needed) and write the agent configuration',
  help: `Creates the logbook at --logbook when there is none (a "dir:" location must be absent or an empty
directory) and writes ROOT/etc/vml/agent.yaml with the logbook, entry and recipe, so later commands and the
shutdown backup need no options. With --no-config only the logbook is created. An s3:// location (s3s:// for
HTTPS) is a key prefix of an S3 bucket, made if missing; its key pair comes from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY or the credentials file VML_S3_CREDENTIALS names, never from the location.

With --entry, it also creates the owner's age identity (an X25519 key pair) in the owner's home,
~/.config/vml/identity.age (mode 0600), encrypted with a passphrase asked on the terminal (or taken from
${PASSPHRASE_ENV} in scripts; at least ${MIN_PASSPHRASE} characters). Only its public half (the "recipient")
goes into agent.yaml: every private version seals the owner's long-lived credentials (grid certificate and
key, SSH keys, .netrc) to it, so the unattended shutdown backup needs no secret. Restoring them needs the
identity file and its passphrase: copy the file off the VM, or a lost VM takes the credentials with it.
An existing identity is kept (its passphrase is asked to read its public key). --no-identity skips this,
and so does --no-config (there would be no agent.yaml to record the recipient in); without a terminal and
without ${PASSPHRASE_ENV} (an unattended first boot) init says so and creates none.

Examples:
  vml-agent init --logbook dir:/srv/vml --entry alice/higgs-ww
  ${PASSPHRASE_ENV}=... vml-agent init --logbook dir:/srv/vml --entry alice/higgs-ww
  vml-agent init --root /mnt/guest --logbook dir:/tmp/lb --entry alice/test --recipe home --no-identity
  VML_S3_CREDENTIALS=~/.vml-s3 vml-agent init --logbook s3://rgw.example.org:8080/vml/alice --entry alice/higgs-ww`,
  configure(cmd) {
    cmd
      .option('--recipe <name>', 'the recipe backups use (default "home")')
      .option('--no-config', 'only create the logbook; write no agent.yaml')
      .option('--no-identity', "create no age identity for the owner's credential vault");
  },
  async run(ctx, _args, flags) {
    const url = requireLogbook(ctx.config);
    if (ctx.config.entry) checkEntryName(ctx.config.entry);
    if (ctx.config.recipe) await loadRecipe(ctx.config.recipe, { dirs: ctx.config.recipeDirs });
    const created = await createLogbookIfAbsent(url, ctx.tokenFile);
    // The identity before the config, so a refused passphrase leaves no config without its recipient.
    const wanted = flags.identity !== false && flags.config !== false && ctx.config.entry !== undefined;
    // Unattended (image contextualization, scripts) without a passphrase: set up the rest, say what to do.
    if (wanted && !passphraseAvailable()) {
      ctx.output.emit({
        type: 'info',
        message: `No identity created: no terminal to ask its passphrase on, and ${PASSPHRASE_ENV} is not set; run "vml-agent init --entry ${ctx.config.entry}" in a terminal to create it`,
      });
    }
    const identity =
      wanted && passphraseAvailable()
        ? await ensureIdentity(ctx.config.root, ctx.config.entry as string)
        : undefined;
    let configPath: string | undefined;
    if (flags.config !== false) {
      configPath = join(ctx.config.root, CONFIG_PATH);
      const content: Record<string, string> = { logbook: url };
      if (ctx.config.entry) content.entry = ctx.config.entry;
      if (ctx.config.recipe) content.recipe = ctx.config.recipe;
      const recipient = identity?.recipient ?? ctx.config.recipient;
      if (recipient) content.recipient = recipient;
      await mkdir(dirname(configPath), { recursive: true });
      await writeFile(
        configPath,
        `# Written by "vml-agent init"; see "vml-agent init --help"\n${stringify(content)}`,
        { mode: 0o644 },
      );
    }
    ctx.output.emit({
      type: 'init-summary',
      logbook: stripCredentials(url),
      created,
      config: configPath,
      ...(identity ?? {}),
    });
    return undefined;
  },
};

/** Creates the owner's identity, or opens the existing one to learn its recipient. */
async function ensureIdentity(
  root: string,
  entry: string,
): Promise<{ identity: string; recipient: string; identityCreated: boolean }> {
  const owner = entry.split('/')[0] as string;
  const accounts = await readAccounts(root);
  const home = homeOf(accounts, owner);
  const path = defaultIdentityPath(root, home);
  if (await stat(path).catch(() => undefined)) {
    const opened = await openIdentity(path, await readPassphrase(`Passphrase of ${path}`));
    return { identity: path, recipient: opened.recipient, identityCreated: false };
  }
  const passphrase = await readPassphrase(`New passphrase for ${path}`, { confirm: true });
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new VmlError('E_USAGE', `The passphrase is too short: at least ${MIN_PASSPHRASE} characters`, {
      hint: 'Anyone who copies the identity file can try passphrases offline; choose a long one',
    });
  }
  // The owner must be able to read and move the file; as root, hand it to them (the home's owner).
  const homeStat = await stat(join(root, home)).catch(() => undefined);
  const uid = accounts.userId.get(owner) ?? (homeStat ? homeStat.uid : undefined);
  const owned =
    process.getuid?.() === 0 && uid !== undefined ? { uid, gid: homeStat?.gid ?? uid } : undefined;
  const opened = await createIdentity(path, passphrase, owned);
  return { identity: path, recipient: opened.recipient, identityCreated: true };
}

/** Creates the logbook unless one is there; refuses a non-empty directory that is not a logbook. */
async function createLogbookIfAbsent(url: string, tokenFile: string | undefined): Promise<boolean> {
  const backend = await openBackend(url, { create: false, tokenFile }).catch(() => undefined);
  if (backend) {
    try {
      await backend.stat({ type: 'config', name: 'config' });
      await Logbook.open(backend); // validates that it is ours and readable
      return false;
    } catch (error) {
      if (!isBackendError(error, 'NOT_FOUND')) throw error;
    }
  }
  if (url.startsWith('dir:') || url.startsWith('/')) {
    const path = url.startsWith('dir:') ? url.slice(4) : url;
    const names = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTDIR') return [] as string[];
      throw new VmlError(
        'E_LOGBOOK_FOREIGN',
        `Cannot create a logbook in "${path}": it is a file, not a directory`,
        {
          hint: 'Choose an empty or new directory',
        },
      );
    });
    if (names.length > 0) {
      throw new VmlError(
        'E_LOGBOOK_FOREIGN',
        `Cannot create a logbook in "${path}": the directory is not empty and holds no logbook`,
        {
          hint: 'Choose an empty or new directory',
        },
      );
    }
  }
  await Logbook.init(await openBackend(url, { create: true, tokenFile }));
  return true;
}
