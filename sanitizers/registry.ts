/**
 * Every sanitizer, listed explicitly (no registration by side-effect import), validated and sorted at load
 * as virt-sysprep's bake() does: a bad entry fails every test, not only the publish that would use it.
 */
import { VmlError } from '../core/errors.js';
import { afsTokens } from './afs-tokens.js';
import { bearerTokens } from './bearer-tokens.js';
import { browserStores } from './browser-stores.js';
import { cloudCredentials } from './cloud-credentials.js';
import { compressedFiles } from './compressed-files.js';
import { contentSignatures } from './content-signatures.js';
import { contextualization } from './contextualization.js';
import { coreDumps } from './core-dumps.js';
import { databaseCredentials } from './database-credentials.js';
import { dockerCredentials } from './docker-credentials.js';
import { editorSwapFiles } from './editor-swap-files.js';
import { gitCredentials } from './git-credentials.js';
import { gridCredentials } from './grid-credentials.js';
import { hostCredentials } from './host-credentials.js';
import { htcondor } from './htcondor.js';
import { jupyter } from './jupyter.js';
import { kerberos } from './kerberos.js';
import { keyrings } from './keyrings.js';
import { kubeConfig } from './kube-config.js';
import { logs } from './logs.js';
import { machineIdentity } from './machine-identity.js';
import { netrc } from './netrc.js';
import { networkMounts } from './network-mounts.js';
import { networkSecrets } from './network-secrets.js';
import { oidcAgent } from './oidc-agent.js';
import { packageRegistryCredentials } from './package-registry-credentials.js';
import { panda } from './panda.js';
import { programHistory } from './program-history.js';
import { pyami } from './pyami.js';
import { rclone } from './rclone.js';
import { rucio } from './rucio.js';
import type { Sanitizer } from './sanitizer.js';
import { shellHistory } from './shell-history.js';
import { shellRcSecrets } from './shell-rc-secrets.js';
import { sshHostKeys } from './ssh-host-keys.js';
import { sshUserKeys } from './ssh-user-keys.js';
import { ssoCookies } from './sso-cookies.js';
import { systemSecrets } from './system-secrets.js';
import { textSecrets } from './text-secrets.js';
import { vomsProxies } from './voms-proxies.js';
import { x11Cookies } from './x11-cookies.js';
import { xrootdSss } from './xrootd-sss.js';

/** All sanitizers, sorted by (order, name). */
export const SANITIZERS: readonly Sanitizer[] = bake([
  afsTokens,
  bearerTokens,
  browserStores,
  cloudCredentials,
  compressedFiles,
  contentSignatures,
  contextualization,
  coreDumps,
  databaseCredentials,
  dockerCredentials,
  editorSwapFiles,
  gitCredentials,
  gridCredentials,
  hostCredentials,
  htcondor,
  jupyter,
  kerberos,
  keyrings,
  kubeConfig,
  logs,
  machineIdentity,
  netrc,
  networkMounts,
  networkSecrets,
  oidcAgent,
  packageRegistryCredentials,
  panda,
  programHistory,
  pyami,
  rclone,
  rucio,
  shellHistory,
  shellRcSecrets,
  sshHostKeys,
  sshUserKeys,
  ssoCookies,
  systemSecrets,
  textSecrets,
  vomsProxies,
  x11Cookies,
  xrootdSss,
]);

/** Checks names, headings and duplicates; sorts by (order, name). Exported for tests. */
export function bake(sanitizers: readonly Sanitizer[]): readonly Sanitizer[] {
  const seen = new Set<string>();
  for (const { name, heading, paths } of sanitizers) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`Sanitizer name "${name}" is not kebab-case`);
    if (seen.has(name)) throw new Error(`Sanitizer "${name}" is listed twice`);
    if (name === 'defaults' || name === 'all') throw new Error(`Sanitizer name "${name}" is reserved`);
    if (heading === '' || heading.endsWith('.'))
      throw new Error(`Heading of sanitizer "${name}" ends with a period`);
    if (paths.length === 0) throw new Error(`Sanitizer "${name}" has no paths`);
    for (const p of paths) {
      if (p.startsWith('/') || p.split('/').includes('..'))
        throw new Error(`Sanitizer "${name}": bad path "${p}"`);
    }
    seen.add(name);
  }
  const order = (s: Sanitizer) => s.order ?? 500;
  return Object.freeze(
    [...sanitizers].sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  );
}

/**
 * The sanitizers a `--sanitizers` list selects, in run order: comma-separated names, `defaults` (those
 * enabled by default), `all`, and `-name` to drop one; applied left to right. Unknown names are a usage error.
 */
export function selectSanitizers(spec: string): Sanitizer[] {
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const raw of spec.split(',')) {
    const word = raw.trim();
    if (word === '') continue;
    const drop = word.startsWith('-');
    const name = drop ? word.slice(1) : word;
    const names =
      name === 'defaults'
        ? SANITIZERS.filter((s) => s.enabledByDefault).map((s) => s.name)
        : name === 'all'
          ? SANITIZERS.map((s) => s.name)
          : SANITIZERS.some((s) => s.name === name)
            ? [name]
            : undefined;
    if (names === undefined) {
      unknown.push(name);
      continue;
    }
    for (const n of names) drop ? chosen.delete(n) : chosen.add(n);
  }
  if (unknown.length > 0) {
    throw new VmlError(
      'E_USAGE',
      `Unknown sanitizer${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => `"${n}"`).join(', ')}`,
      {
        hint: `Known sanitizers: ${SANITIZERS.map((s) => s.name).join(', ')} (and "defaults", "all", "-NAME" to leave one out)`,
      },
    );
  }
  return SANITIZERS.filter((s) => chosen.has(s.name));
}

/** Lines for `publish --list-sanitizers`, as virt-sysprep prints them: `name * heading` (* = enabled by default). */
export function sanitizerListing(): string[] {
  const width = Math.max(...SANITIZERS.map((s) => s.name.length));
  return SANITIZERS.map((s) => `${s.name.padEnd(width)} ${s.enabledByDefault ? '*' : ' '} ${s.heading}`);
}
