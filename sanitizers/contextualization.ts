import { wholeFiles } from './known-files.js';

/** CernVM contextualization: cloud-init and amiconfig user-data, which often carries passwords and keys. */
export const contextualization = wholeFiles({
  name: 'contextualization',
  heading: 'Remove contextualization user-data (cloud-init, amiconfig)',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'var/lib/cloud/instance/user-data*',
    'var/lib/cloud/instance/vendor-data*',
    'var/lib/cloud/instance/cloud-config.txt',
    'var/lib/cloud/instance/scripts/**',
    'var/lib/cloud/instances/*/user-data*',
    'var/lib/cloud/instances/*/vendor-data*',
    'var/lib/cloud/instances/*/cloud-config.txt',
    'var/lib/cloud/instances/*/scripts/**',
    'var/lib/cloud/instances/*/obj.pkl',
    'var/lib/cloud/seed/**',
    'var/lib/amiconfig/**',
    'var/lib/amiconfig-online/**',
    'etc/cernvm/contextualization/**',
  ],
  type: 'contextualization-user-data',
  credential: 'long-lived',
  examples: {
    dirty: [
      {
        path: 'var/lib/cloud/instance/user-data.txt',
        content: '#cloud-config\nusers:\n  - name: alice\n    passwd: VmlFakeUserDataHash\n',
      },
    ],
    clean: [{ path: 'etc/cloud/cloud.cfg', content: 'datasource_list: [ OpenStack, None ]\n' }],
  },
});
