/**
 * What the environment step never records: variables whose name says they hold a credential, and values
 * that look like one whatever the name. Only names reach the facts (as "withheld"), never the values.
 */
import picomatch from 'picomatch';

/** Always withheld, whatever a recipe allows (matched without regard to case: `http_proxy` too). */
export const SECRET_NAMES = [
  '*TOKEN*',
  '*PASSWORD*',
  '*PASSWD*',
  '*SECRET*',
  '*KEY*',
  '*PROXY*',
  '*COOKIE*',
  '*CREDENTIAL*',
  'X509_USER_PROXY',
  'KRB5CCNAME',
] as const;

const secretName = picomatch([...SECRET_NAMES], { nocase: true, dot: true });

/** Whether a variable's name says it holds a credential. */
export function isSecretName(name: string): boolean {
  return secretName(name);
}

const SECRET_VALUES: readonly RegExp[] = [
  // A URL with a password: https://user:pass@host, proxy settings, database URLs.
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
  // A private key pasted into a variable.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  // A JSON Web Token (OIDC access tokens, Rucio and PanDA tokens).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./,
  // Personal access tokens of GitHub and GitLab.
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,})/,
];

/** Whether a value looks like a credential (the name may not say so). */
export function looksSecret(value: string): boolean {
  return SECRET_VALUES.some((pattern) => pattern.test(value));
}
