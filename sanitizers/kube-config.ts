import { secretValues } from './known-files.js';

/** kubeconfig: tokens, client keys and passwords go; clusters, contexts and CA data stay. */
export const kubeConfig = secretValues({
  name: 'kube-config',
  heading: 'Redact tokens, client keys and passwords in kubeconfig files',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.kube/config', '~/.kube/*.yaml', '~/.kube/*.yml', 'etc/kubernetes/*.conf'],
  keys: /^(?:token|client-key-data|client-key|password|id-token|refresh-token|access-token|client-secret)$/,
  type: 'kubernetes-credentials',
  credential: 'long-lived',
  restoreHint: 'fetch the kubeconfig again (e.g. openstack coe cluster config)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.kube/config',
        content:
          'apiVersion: v1\nusers:\n- name: alice\n  user:\n    client-key-data: VMLFAKEKUBEKEYDATA\n    token: vml-fake-kube-token\n',
        secrets: ['VMLFAKEKUBEKEYDATA', 'vml-fake-kube-token'],
      },
    ],
    clean: [
      {
        path: 'home/alice/.kube/config',
        content: 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s.cern.ch:6443\n  name: c\n',
      },
    ],
  },
});
