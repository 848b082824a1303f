/**
 * A real logbook server (in-process, 127.0.0.1) with OIDC sign-in against the local provider
 * (oidc-provider.ts). The server's port is chosen first, because the provider must know the redirect URI
 * (PUBLIC_URL/auth/oidc/callback) before it starts, as Keycloak's client registration does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { agentInsight } from '../../host/server/insight.js';
import { sanitizerScan } from '../../host/server/scan.js';
import { buildApp } from '../../logbook/server/app.js';
import { SqlMetadata } from '../../logbook/server/metadata-sql.js';
import { OIDC_CALLBACK_PATH, OidcClient, type OidcSettings } from '../../logbook/server/oidc.js';
import { SqliteDriver } from '../../logbook/server/sql/sqlite.js';
import { DirStorage } from '../../logbook/server/storage.js';
import { startOidcProvider, type TestAccount, type TestOidcProvider } from './oidc-provider.js';

export interface OidcTestServer {
  readonly app: FastifyInstance;
  /** "http://127.0.0.1:PORT", also the public URL. */
  readonly url: string;
  /** PUBLIC_URL/auth/oidc/callback. */
  readonly callback: string;
  readonly metadata: SqlMetadata;
  readonly provider: TestOidcProvider;
  /** Warnings the OIDC client gave (what `vml logbook serve` prints). */
  readonly warnings: string[];
  close(): Promise<void>;
}

export interface OidcTestServerOptions {
  readonly accounts: readonly TestAccount[];
  /** Settings to change, e.g. `{ createUsers: true }` or an unreachable `issuer`. */
  readonly settings?: Partial<OidcSettings>;
}

export async function startOidcTestServer(options: OidcTestServerOptions): Promise<OidcTestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const callback = `${url}${OIDC_CALLBACK_PATH}`;
  const provider = await startOidcProvider({ redirectUri: callback, accounts: options.accounts });
  const warnings: string[] = [];
  const oidc = new OidcClient(
    {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      publicUrl: url,
      usernameClaim: 'preferred_username',
      createUsers: false,
      label: 'CERN SSO',
      ...options.settings,
    },
    { onWarning: (message) => warnings.push(message) },
  );
  const data = await mkdtemp(join(tmpdir(), 'vml-oidc-'));
  const metadata = await SqlMetadata.open(await SqliteDriver.open(join(data, 'vml.db')));
  const storage = new DirStorage(data);
  const app = await buildApp({
    metadata,
    storage,
    insight: agentInsight,
    scan: sanitizerScan,
    publicUrl: url,
    oidc,
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    url,
    callback,
    metadata,
    provider,
    warnings,
    async close() {
      await app.close();
      await provider.close();
      await storage.close();
      await metadata.close();
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** A port free right now on 127.0.0.1 (the OS picks it; the server takes it a moment later). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
