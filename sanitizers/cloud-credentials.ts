import { wholeFiles } from './known-files.js';

/** AWS, Google Cloud, Azure, OpenStack and S3 tool credentials and token caches. */
export const cloudCredentials = wholeFiles({
  name: 'cloud-credentials',
  heading: 'Remove AWS, Google Cloud, Azure, OpenStack and S3 credentials',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.aws/credentials',
    '~/.aws/cli/cache/**',
    '~/.aws/sso/cache/**',
    '~/.config/gcloud/credentials.db',
    '~/.config/gcloud/access_tokens.db',
    '~/.config/gcloud/legacy_credentials/**',
    '~/.config/gcloud/application_default_credentials.json',
    '~/.azure/accessTokens.json',
    '~/.azure/msal_token_cache.*',
    '~/.azure/service_principal_entries.*',
    '~/.config/openstack/secure.yaml',
    '~/.config/openstack/clouds.yaml',
    '~/.s3cfg',
    '~/.boto',
    '~/.passwd-s3fs',
    'etc/passwd-s3fs',
    '~/.config/swift/**',
  ],
  type: (path) =>
    path.includes('/cache/') || path.includes('token') ? 'cloud-token-cache' : 'cloud-credentials',
  credential: 'long-lived',
  restoreHint: 'log in again with the cloud tool (aws configure, gcloud auth login, az login)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.aws/credentials',
        content:
          '[default]\naws_access_key_id = AKIAVMLFAKE000000001\naws_secret_access_key = VmlFakeSecretAccessKey0000000000000000000\n',
      },
      {
        path: 'home/alice/.s3cfg',
        content:
          '[default]\naccess_key = VMLFAKEACCESS\nsecret_key = VMLFAKESECRET\nhost_base = s3.cern.ch\n',
      },
    ],
    clean: [{ path: 'home/alice/.aws/config', content: '[default]\nregion = eu-west-1\noutput = json\n' }],
  },
});
