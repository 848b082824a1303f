/**
 * The text scan for secrets that are values, not files: tokens with a recognisable shape (JWT, cloud and
 * forge keys), passwords in URLs, and `password = …`-style assignments. Assignments are judged by the kind
 * of file: in configuration any non-placeholder value counts, in code only string literals, in prose only
 * values that look random (entropy and character mix), so README text about passwords survives.
 */

export type TextKind = 'config' | 'code' | 'prose';

/** One secret value: the characters [start, end) of the text, and what it is. */
export interface TokenHit {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

/** Shapes that are secrets wherever they appear, even in binary files. */
const STRONG: readonly (readonly [string, RegExp])[] = [
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ['aws-access-key-id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ['github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/g],
  ['gitlab-token', /\bglpat-[A-Za-z0-9_-]{20,}/g],
  ['slack-token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/g],
  ['google-api-key', /\bAIza[0-9A-Za-z_-]{35}\b/g],
];

/** `scheme://user:password@host`: group 1 is the password. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/?#@"'<>\\]+:([^\s/?#@"'<>\\]+)@[A-Za-z0-9[]/gi;
const BEARER = /\b(?:Bearer|token)\s+([A-Za-z0-9._~+/-]{24,}=*)/g;

/** Names whose last part says "secret": PASSWORD, db.password, client_secret, API_KEY, GITHUB_TOKEN… */
export const SECRET_NAME =
  /(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]+[_.-])*(?:password|passwd|passwort|pwd|pass|passphrase|secret|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?access[_-]?key|private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|bearer[_-]?token|token|credentials?)$/i;

/** name, optional closing quote, then =, :, := or => and the value (quoted, possibly backslash-escaped, or bare). */
const ASSIGNMENT =
  /([A-Za-z_][A-Za-z0-9_.-]{1,60})\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:(\\?["'])(.*?)\2|([^\s"'`,(){}\]]+))/g;

const PLACEHOLDER =
  /^(?:x+|\*+|\.+|-+|_+|\?+|changeme|change[_-]?me|change[_-]?it|password|passwd|secret|token|example|dummy|test|none|null|nil|undefined|false|true|empty|redacted.*|your[_-]?\w*|my[_-]?\w*|<[^>]*>|\[[^\]]*\]|\{\{.*\}\}|\{[\w.]*\}|%\(?\w*\)?[sd]|%s|\$\d)$/i;

/** True for values that are clearly not the secret itself: placeholders, references, expressions. */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0 || PLACEHOLDER.test(value)) return true;
  if (/^[$%@]|^\$\{|\$\(|`|^\{\{|^\(|^os\.|^getpass|^input\(|^env:|^file:|^keyring:|^\/[\w./-]+$/.test(value))
    return true;
  return /^REDACTED-BY-VML$|\[private key removed by VML\]/.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / value.length) * Math.log2(n / value.length);
  return h;
}

/** Looks random enough to be a secret even in prose: long, varied, several character classes. */
export function looksRandom(value: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
  return value.length >= 8 && entropy(value) >= 3 && classes >= 2 && !/^[a-z]+(?:[-_][a-z]+)*$/i.test(value);
}

function acceptAssignment(name: string, value: string, quoted: boolean, kind: TextKind): boolean {
  if (!SECRET_NAME.test(name) || isPlaceholder(value)) return false;
  const tokenish = !/pass|pwd/i.test(name);
  if (value.length < (tokenish ? 8 : 4)) return false;
  if (kind === 'prose') return looksRandom(value);
  if (kind === 'code') return quoted && (!tokenish || looksRandom(value));
  // Configuration: a bare value that is a plain word and named like a token is more likely a setting.
  return !tokenish || looksRandom(value) || quoted;
}

/**
 * Secret values in `text`, non-overlapping, sorted by position. Binary text gets the strong shapes and URL
 * passwords; 'software' (files of installed packages, whose example URLs and test configurations are
 * public) the strong shapes only.
 */
export function findTokens(text: string, kind: TextKind | 'binary' | 'software'): TokenHit[] {
  const hits: TokenHit[] = [];
  for (const [name, re] of STRONG) {
    for (const m of text.matchAll(re)) hits.push({ start: m.index, end: m.index + m[0].length, kind: name });
  }
  for (const m of kind === 'software' ? [] : text.matchAll(URL_PASSWORD)) {
    const pw = m[1] as string;
    if (isPlaceholder(pw)) continue;
    const start = m.index + m[0].lastIndexOf(`:${pw}@`) + 1;
    hits.push({ start, end: start + pw.length, kind: 'url-password' });
  }
  if (kind !== 'binary' && kind !== 'software') {
    for (const m of text.matchAll(BEARER)) {
      const v = m[1] as string;
      if (!looksRandom(v)) continue;
      const start = m.index + m[0].length - v.length;
      hits.push({ start, end: start + v.length, kind: 'bearer-token' });
    }
    for (const m of text.matchAll(ASSIGNMENT)) {
      const name = m[1] as string;
      const quoted = m[3] !== undefined;
      const value = (quoted ? m[3] : m[4]) as string;
      if (!acceptAssignment(name, value, quoted, kind)) continue;
      const start = m.index + m[0].length - value.length - (quoted ? (m[2] as string).length : 0);
      hits.push({ start, end: start + value.length, kind: 'password-assignment' });
    }
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TokenHit[] = [];
  for (const h of hits) {
    const last = out[out.length - 1];
    if (last !== undefined && h.start < last.end) continue;
    out.push(h);
  }
  return out;
}

const CODE =
  /\.(?:py|c|cc|cxx|cpp|h|hh|hpp|hxx|icc|js|mjs|cjs|ts|java|go|rs|rb|pl|pm|jl|r|scala|kt|swift|cs|php|lua|f|f90|ipynb)$/i;
const PROSE =
  /\.(?:md|markdown|txt|rst|tex|html?|org|adoc|log)$|(?:^|\/)(?:README|NEWS|CHANGELOG|INSTALL|LICENSE|COPYING|AUTHORS)[^/]*$/i;

/** How assignments in a file are judged, from its name. */
export function textKind(path: string): TextKind {
  if (PROSE.test(path)) return 'prose';
  if (CODE.test(path)) return 'code';
  return 'config';
}

/** Replaces each hit: text files get a marker, binary files the same number of '*' (offsets stay valid). */
export function redactHits(text: string, hits: readonly TokenHit[], binary: boolean): string {
  let out = text;
  for (const h of [...hits].reverse()) {
    const fill = binary ? '*'.repeat(h.end - h.start) : 'REDACTED-BY-VML';
    out = out.slice(0, h.start) + fill + out.slice(h.end);
  }
  return out;
}
