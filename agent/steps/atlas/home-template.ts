/**
 * Facts are recorded with the owner's home written as `{home}`, so that a version restored for another
 * user, or into a root where the home lives elsewhere, gets paths of that home (an `.asetup.save` or a
 * profile snippet embeds absolute paths), and so that the same environment under two homes has equal facts.
 */

const TOKEN = '{home}';

/** Replaces the absolute home `/home/alice` (as a whole path prefix) with `{home}`. */
export function templateHome(value: string, absoluteHome: string): string {
  if (absoluteHome === '/' || absoluteHome === '') return value;
  const escaped = absoluteHome.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return value.replace(new RegExp(`${escaped}(?=$|[/:;,"'\\s=])`, 'g'), TOKEN);
}

/** Puts the absolute home back in place of `{home}`. */
export function expandTemplate(value: string, absoluteHome: string): string {
  return value.split(TOKEN).join(absoluteHome);
}

/** A root-relative path with the home (root-relative too) written as `{home}`: `{home}/data`. */
export function templateHomePath(path: string, home: string): string {
  if (path === home) return TOKEN;
  return path.startsWith(`${home}/`) ? `${TOKEN}/${path.slice(home.length + 1)}` : path;
}
