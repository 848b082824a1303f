/**
 * The human printer: one formatter per event type (a missing one does not compile). Results go to stdout;
 * progress, warnings and errors to stderr.
 */
import type { Event } from '../events.js';
import { formatBytes, formatDuration } from '../format.js';

type Formatters = { [K in Event['type']]: (event: Extract<Event, { type: K }>) => string | undefined };

const short = (id: string) => id.slice(0, 8);

// Where a check problem sits: the logbook file (type/name, as FORMAT.md lays it out) or the blob or tree id.
const PROBLEM_FILE_DIR: Record<string, string> = {
  index: 'index',
  pack: 'data',
  debris: 'data',
  manifest: 'snapshots',
};
const problemSubject = (kind: string, name: string) =>
  kind === 'config'
    ? 'config'
    : PROBLEM_FILE_DIR[kind]
      ? `${PROBLEM_FILE_DIR[kind]}/${name}`
      : `${kind} ${name}`;

// Said once, when the identity is made: the one moment the owner can still save it.
const identityNotice = (path: string, recipient: string, created: boolean) =>
  created
    ? [
        `Created your age identity ${path} (public key ${recipient}).`,
        'Private versions seal your long-lived credentials (grid certificate and key, SSH keys, .netrc) to it;',
        'restoring them needs this file and its passphrase. Copy it off this VM now (to your laptop or',
        'CERNBox): if the VM is lost, the identity and every credential sealed to it are lost with it.',
      ].join('\n')
    : `Using your age identity ${path} (public key ${recipient})`;

/** Formatters for results (stdout). Progress, warnings and errors are handled by the output itself. */
export const HUMAN: Formatters = {
  progress: () => undefined,
  warning: (e) => `warning: ${e.path ? `${e.path}: ` : ''}${e.message}`,
  info: (e) => e.message,
  version: (e) =>
    [
      `${e.entry}@v${e.seq}`.padEnd(24),
      short(e.id),
      e.time.replace('T', ' ').slice(0, 19),
      e.reason.padEnd(11),
      e.visibility.padEnd(7),
      `+${formatBytes(e.bytesAdded)}`.padStart(10),
      e.message ?? '',
    ].join('  '),
  'backup-summary': (e) =>
    [
      `Saved ${e.entry}@v${e.seq} (${short(e.id)}) with recipe "${e.recipe}"`,
      `  ${e.files} files, ${e.dirs} directories, ${formatBytes(e.bytes)}; read ${e.filesRead} changed files (${formatBytes(e.bytesRead)})`,
      `  added ${formatBytes(e.bytesAdded)} to the logbook in ${formatDuration(e.seconds)}${e.warnings ? `, ${e.warnings} warnings` : ''}`,
    ].join('\n'),
  show: (e) =>
    [
      `${e.version} (${e.id})`,
      ...Object.entries(e.facts ?? {}).flatMap(([step, lines]) => [
        `${step}:`,
        ...lines.map((l) => `  ${l}`),
      ]),
      ...(e.sanitization ? ['sanitization:', ...e.sanitization.map((l) => `  ${l}`)] : []),
      JSON.stringify(e.manifest, null, 2),
    ].join('\n'),
  'diff-fact': (e) => {
    const mark = { added: '+', removed: '-', modified: 'M' }[e.change];
    return `${mark}  [${e.step}] ${e.subject}${e.detail ? `  (${e.detail})` : ''}`;
  },
  'step-action': (e) => `${e.dryRun ? 'would ' : ''}${e.step}: ${e.action}`,
  'diff-item': (e) => {
    const mark = { added: '+', removed: '-', modified: 'M', metadata: 'm', type: 'T' }[e.change];
    const size =
      e.size !== undefined
        ? `  ${e.oldSize !== undefined ? `${formatBytes(e.oldSize)} -> ` : ''}${formatBytes(e.size)}`
        : '';
    const fields = e.fields && e.fields.length > 0 ? `  (${e.fields.join(', ')})` : '';
    return `${mark}  ${e.path}${e.kind === 'dir' ? '/' : ''}${size}${fields}`;
  },
  'diff-summary': (e) =>
    `${e.from} -> ${e.to}: ${e.added} added, ${e.removed} removed, ${e.modified} modified, ${e.metadata} metadata only` +
    ` (+${formatBytes(e.bytesAdded)}, -${formatBytes(e.bytesRemoved)})`,
  'restore-action': (e) => `${e.action.padEnd(9)} ${e.path}${e.kind === 'dir' ? '/' : ''}`,
  'restore-summary': (e) =>
    [
      `${e.dryRun ? 'Would restore' : 'Restored'} ${e.version}: ${e.created} created, ${e.overwritten} overwritten, ${e.metadata} metadata updates, ${e.removed} removed, ${formatBytes(e.bytesWritten)} written`,
      e.safety
        ? `What was there before is saved as ${e.safety}; to go back run: vml-agent restore ${e.safety}`
        : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
  'delete-summary': (e) =>
    e.versions.length === 0
      ? 'Nothing to delete'
      : `${e.dryRun ? 'Would delete' : 'Deleted'} ${e.versions.join(', ')}${e.dryRun ? '\nRun again with --yes to delete' : '\nRun "vml-agent gc" to reclaim the space'}`,
  'check-problem': (e) =>
    [
      `${e.severity}: ${problemSubject(e.kind, e.name)}: ${e.message}`,
      ...e.affects.slice(0, 20).map((a) => `  affects ${a.version}${a.path ? ` ${a.path}` : ''}`),
    ].join('\n'),
  'check-summary': (e) =>
    `Checked ${e.versions} versions, ${e.packs} packs, ${e.blobs} blobs${e.bytesRead ? `, read ${formatBytes(e.bytesRead)}` : ''}: ` +
    (e.errors === 0 ? 'no errors' : `${e.errors} errors`) +
    (e.warnings ? `, ${e.warnings} warnings` : ''),
  'gc-summary': (e) =>
    `${e.dryRun ? 'Would free' : 'Freed'} ${formatBytes(e.bytesFreed)}: ${e.packsDeleted} packs deleted, ${e.packsRepacked} repacked; logbook ${formatBytes(e.bytesBefore)} -> ${formatBytes(e.bytesAfter)}`,
  'init-summary': (e) =>
    `${e.created ? 'Created' : 'Using'} logbook ${e.logbook}${e.config ? `\nWrote ${e.config}` : ''}` +
    (e.identity ? `\n${identityNotice(e.identity, e.recipient ?? '', e.identityCreated === true)}` : ''),
  'software-preload': (e) =>
    [
      `${e.dryRun ? 'Would preload' : 'Preloaded'} ${e.repository}:${e.paths.join(',')} revision ${e.revision}${e.into ? ` into ${e.into}` : ''}${e.alienCache ? ` (alien cache ${e.alienCache})` : ''}`,
      `  ${e.files} files (${formatBytes(e.bytes)}), ${e.dirs} directories, ${e.symlinks} symlinks; ` +
        `${e.dryRun ? 'to download' : 'downloaded'} ${e.filesWritten} files (${formatBytes(e.bytesWritten)}), ` +
        `${e.filesUnchanged} unchanged, ${e.filesCopied} copied locally, ${e.removed} removed`,
      ...(e.alienCache
        ? [`  alien cache: ${e.alienObjects ?? 0} objects added (${formatBytes(e.alienBytes ?? 0)})`]
        : []),
      `  ${e.requests} requests, ${formatBytes(e.bytesFetched)} transferred, ${e.catalogs} catalogs, in ${formatDuration(e.seconds)}`,
    ].join('\n'),
  'software-repository': (e) =>
    e.ok
      ? `${e.repository.padEnd(28)} revision ${String(e.revision).padEnd(6)} published ${(e.published ?? '').replace('T', ' ').slice(0, 19)}  ${e.servers[0] ?? ''}`
      : `${e.repository.padEnd(28)} unavailable: ${e.message ?? ''}`,
  'publish-sanitizer': (e) =>
    `${e.selected ? '*' : ' '} ${e.name.padEnd(24)} ${e.heading}${e.enabledByDefault ? '' : ' (not by default)'}`,
  'publish-finding': (e) =>
    `${e.action.padEnd(10)} ${e.path}  [${e.sanitizer}: ${e.kind}${e.count ? ` x${e.count}` : ''}]` +
    `${e.reason ? `  (${e.reason})` : ''}${e.restoreHint ? `\n           to bring it back: ${e.restoreHint}` : ''}`,
  'publish-summary': (e) =>
    e.dryRun
      ? `Would publish ${e.from} as a public version: ${e.findings} findings, ${e.files} files (${formatBytes(e.bytes)}) checked in ${formatDuration(e.seconds)}\nNothing was written; run again without --dry-run to publish`
      : `Published ${e.from} as ${e.version} (${short(e.id ?? '')}), public: ${e.findings} findings, ${e.files} files (${formatBytes(e.bytes)}) in ${formatDuration(e.seconds)}`,
  'software-config': (e) =>
    e.changed
      ? [
          `${e.dryRun ? 'Would change' : 'Changed'} ${e.file}${e.enabled.length ? `: enabled ${e.enabled.join(', ')}` : ''}${e.disabled.length ? `${e.enabled.length ? ';' : ':'} disabled ${e.disabled.join(', ')}` : ''}`,
          ...(e.dryRun ? [`--- ${e.file}`, `+++ ${e.file}`, ...e.diff] : []),
        ].join('\n')
      : `No change to ${e.file}: CVMFS_REPOSITORIES=${e.repositories.join(',')}`,
  'backup-skipped': (e) => `No ${e.reason} backup: ${e.message}`,
  'login-warning': (e) => `VML: ${e.message}${e.hint ? `\n     run: ${e.hint}` : ''}`,
  'login-warnings-written': (e) => `Wrote ${e.count} login warning${e.count === 1 ? '' : 's'} to ${e.path}`,
  'server-listening': (e) =>
    `Logbook server listening on ${e.url} (data in ${e.data}${e.database ? `, metadata in ${e.database}` : ''}${e.storage ? `, logbooks in ${e.storage}` : ''}${e.oidc ? `; OIDC sign-in at ${e.oidc}` : ''}${e.certificateExpires ? `; certificate valid until ${e.certificateExpires}` : ''}); Ctrl-C stops it`,
  'server-user': (e) =>
    `${e.dryRun ? 'would set ' : ''}${e.name.padEnd(20)}  ${e.admin ? 'admin' : 'user '}  ${e.password ? 'password' : 'tokens only'}  since ${e.created.slice(0, 10)}` +
    (e.used === undefined ? '' : `  used ${formatBytes(e.used)}`) +
    (e.quota === undefined ? '' : e.quota === null ? '  no quota' : `  quota ${formatBytes(e.quota)}`),
  'server-token': (e) => {
    const line = `${e.id}  ${e.user.padEnd(12)}  ${e.scope.padEnd(20)}  ${e.revoked ? `revoked ${e.revoked.slice(0, 10)}` : `created ${e.created.slice(0, 10)}`}  ${e.label}`;
    if (e.dryRun) return `would revoke ${line}`;
    if (e.savedTo)
      return `${line}\nThe token is in "${e.savedTo}" (readable by you only); it is shown nowhere else`;
    if (e.token === undefined) return line;
    return `${line}\n${e.token}\nThis is the only time the token is shown: store it now (e.g. in a file for VML_TOKEN_FILE)`;
  },
  'server-public': (e) =>
    `${e.dryRun ? `Would ${e.action}` : e.action === 'publish' ? 'Published' : 'Unpublished'} ${e.version} (${e.id.slice(0, 8)})${e.action === 'unpublish' && !e.dryRun ? ": gone from the public namespace; its owner's version is kept" : ''}`,
  exit_error: (e) => `error: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`,
};
