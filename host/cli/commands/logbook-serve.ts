/** vml logbook serve: run the logbook server until Ctrl-C or SIGTERM. */
import { VmlError } from '../../../core/errors.js';
import { buildApp } from '../../../logbook/server/app.js';
import { openServerData } from '../../../logbook/server/data-dir.js';
import { OidcClient } from '../../../logbook/server/oidc.js';
import { agentInsight } from '../../server/insight.js';
import { sanitizerScan } from '../../server/scan.js';
import { databaseOptions, dataDir, dataOption, type HostCommand } from '../command.js';
import { oidcOptions, oidcSettings } from '../oidc-options.js';

const DEFAULT_LISTEN = '127.0.0.1:8420';

export const logbookServeCommand: HostCommand = {
  path: ['logbook', 'serve'],
  summary: 'Run the logbook server: a shared logbook for agents, one private namespace per user',
  help: `Serves the REST API that "vml-agent --logbook http://HOST:PORT" speaks (docs/server.md). Each user's
versions live in their own namespace under DIR/owners/USER; users and tokens are kept in DIR/vml.db (SQLite)
or, with --database postgres://…, in PostgreSQL, and can be changed with "vml logbook user|token" while the
server runs. Several servers may share one PostgreSQL database and one DIR (a shared file system) behind a
load balancer: they keep no state of their own. The PostgreSQL password comes from --database-password-file
or PGPASSWORD, never from the URL. Plain HTTP only: put a TLS reverse proxy in front of it for anything but
loopback. Port 0 picks a free port (printed at start).
Public versions are copied into DIR/public and read by every signed-in user at http://HOST:PORT/public
(also without a token with --public-anonymous).

OIDC sign-in (CERN SSO is Keycloak): --oidc-issuer turns on "Sign in with CERN SSO" on the sign-in page.
Register a confidential client at the issuer with the redirect URI PUBLIC_URL/auth/oidc/callback and scopes
"openid profile email"; give its secret in a file (never on the command line). The claim of
--oidc-username-claim names the local user; an unknown name is refused unless --oidc-create-users. The
server starts even when the issuer is down (a warning; sign-ins then get an "unavailable" page).

Examples:
  vml logbook serve --data /srv/vml
  vml logbook serve --data /srv/vml --listen 0.0.0.0:8420
  vml logbook serve --data /srv/vml --public-url https://vml.example.org   # behind a TLS proxy
  vml logbook serve --data /srv/vml --public-anonymous
  vml logbook serve --data /tmp/vml --listen 127.0.0.1:0 --json
  PGPASSWORD=… vml logbook serve --data /srv/vml --database postgres://vml@db:5432/vml
  vml logbook serve --data /srv/vml --public-url https://vml.cern.ch \\
      --oidc-issuer https://auth.cern.ch/auth/realms/cern --oidc-client-id vml \\
      --oidc-client-secret-file /etc/vml/oidc-secret --oidc-create-users`,
  configure(cmd) {
    dataOption(cmd)
      .option('--listen <host:port>', `address to listen on (default ${DEFAULT_LISTEN})`)
      .option('--public-anonymous', 'let requests without a token read public versions (under /public)');
    oidcOptions(cmd);
    cmd.option(
      '--public-url <url>',
      'how users reach the server, e.g. https://vml.example.org behind a TLS proxy',
    );
  },
  async run(ctx, _args, flags) {
    const { host, port } = parseListen(typeof flags.listen === 'string' ? flags.listen : DEFAULT_LISTEN);
    const usersUrl = publicUrl(flags.publicUrl ?? process.env.VML_PUBLIC_URL);
    const oidcSet = await oidcSettings(flags, usersUrl);
    const oidc =
      oidcSet &&
      new OidcClient(oidcSet, { onWarning: (message) => ctx.output.emit({ type: 'warning', message }) });
    const data = await openServerData(dataDir(flags), databaseOptions(flags));
    try {
      const app = await buildApp({
        metadata: data.metadata,
        storage: data.storage,
        insight: agentInsight,
        scan: sanitizerScan,
        publicUrl: usersUrl,
        publicAnonymous: flags.publicAnonymous === true,
        oidc,
        uploads: data.uploads,
        onInternalError: (error, request) =>
          ctx.output.emit({
            type: 'warning',
            message: `Internal error answering ${request.method} ${request.url}: ${(error as Error).message}`,
          }),
      });
      try {
        await app.listen({ host, port });
      } catch (error) {
        throw new VmlError('E_USAGE', `Cannot listen on ${host}:${port}: ${(error as Error).message}`, {
          hint: 'Choose another --listen address, or stop what uses this port',
          cause: error,
        });
      }
      const address = app.server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      ctx.output.emit({
        type: 'server-listening',
        url: `http://${shown}:${actual}`,
        data: data.path,
        database: data.metadata.location,
        ...(oidc ? { oidc: oidc.settings.issuer } : {}),
      });
      // Discovery now, so an unreachable issuer is a warning at start; the server runs regardless.
      void oidc?.discover().catch(() => {});
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      await app.close();
    } finally {
      await data.close();
    }
    // A stop by signal is how a server ends: not an interruption, and warnings were logged as they came.
    return 0;
  },
};

/** `--public-url`: an absolute http(s) URL without a trailing slash. */
function publicUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) {
    throw new VmlError('E_USAGE', `Cannot use --public-url "${value}": expected an http:// or https:// URL`, {
      hint: 'For example --public-url https://vml.example.org',
    });
  }
  return value.replace(/\/+$/, '');
}

/** "HOST:PORT" or "[IPV6]:PORT". */
function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new VmlError('E_USAGE', `Cannot listen on "${text}": expected HOST:PORT`, {
      hint: `For example --listen ${DEFAULT_LISTEN}, or --listen [::1]:8420`,
    });
  }
  return { host: match[1] ?? match[2] ?? '', port };
}
