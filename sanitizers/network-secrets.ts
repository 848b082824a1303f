import { wholeFiles } from './known-files.js';

/** Wi-Fi and VPN secrets: NetworkManager connections, wpa_supplicant, OpenVPN, WireGuard, IPsec, PPP, vpnc. */
export const networkSecrets = wholeFiles({
  name: 'network-secrets',
  heading: 'Remove Wi-Fi and VPN connection secrets',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'etc/NetworkManager/system-connections/**',
    'etc/wpa_supplicant/*.conf',
    'etc/openvpn/**/*.{key,auth,pass,p12,ovpn,conf}',
    'etc/wireguard/**',
    'etc/ipsec.secrets',
    'etc/ipsec.d/private/**',
    'etc/strongswan/ipsec.secrets',
    'etc/ppp/chap-secrets',
    'etc/ppp/pap-secrets',
    'etc/vpnc/*.conf',
    '~/.cert/nm-openvpn/**',
  ],
  type: 'network-secret',
  credential: 'long-lived',
  restoreHint: 'set the network connection up again (nmcli connection add …)',
  examples: {
    dirty: [
      {
        path: 'etc/NetworkManager/system-connections/CERN.nmconnection',
        content: '[wifi-security]\nkey-mgmt=wpa-eap\n[802-1x]\npassword=VmlFakeWifiPw\n',
      },
      {
        path: 'etc/wireguard/wg0.conf',
        content: '[Interface]\nPrivateKey = VmlFakeWireguardKey0000000000000000000000000=\n',
      },
    ],
    clean: [{ path: 'etc/NetworkManager/NetworkManager.conf', content: '[main]\nplugins=keyfile\n' }],
  },
});
