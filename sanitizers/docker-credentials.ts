import { secretValues } from './known-files.js';

/** Registry logins of docker and podman: the "auth" and token values go, the rest of the configuration stays. */
export const dockerCredentials = secretValues({
  name: 'docker-credentials',
  heading: 'Redact docker and podman registry logins',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.docker/config.json',
    '~/.config/containers/auth.json',
    'run/user/*/containers/auth.json',
    'run/containers/*/auth.json',
    'etc/containers/auth.json',
  ],
  keys: /^(?:auth|identitytoken|registrytoken|password)$/,
  type: 'registry-login',
  credential: 'long-lived',
  restoreHint: 'docker login REGISTRY (or podman login)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.docker/config.json',
        content:
          '{\n  "auths": {\n    "gitlab-registry.cern.ch": {\n      "auth": "YWxpY2U6Vm1sRmFrZURvY2tlclB3"\n    }\n  },\n  "detachKeys": "ctrl-x"\n}\n',
        secrets: ['YWxpY2U6Vm1sRmFrZURvY2tlclB3'],
      },
    ],
    clean: [
      {
        path: 'home/alice/.docker/config.json',
        content: '{\n  "credsStore": "pass",\n  "detachKeys": "ctrl-x"\n}\n',
      },
    ],
  },
});
