/** Reading and writing the few cookies the web interface sets (no cookie plugin needed for three names). */

/** Cookie name → value of a `Cookie:` header; later duplicates do not override the first. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. Absent: a browser-session cookie. */
  readonly maxAge?: number;
  /** Sent only over https: set when the request came over https or the public URL is https. */
  readonly secure: boolean;
}

/**
 * A `Set-Cookie` value: always HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs,
 * a first wall against CSRF) and Path=/. Values are base64url, so they need no quoting.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
