/**
 * How `rucio download` lays files out, and how to name them back as Rucio DIDs (`scope:name`). Downloading a
 * file DID writes `<dir>/<scope>/<file>`; downloading a dataset or container writes `<dir>/<dataset>/<file>`.
 * Scopes are short (`mc16_13TeV`, `data18_13TeV`, `user.alice`, `group.phys-higgs`); dataset names start with
 * their scope and go on with dot-separated fields (`mc16_13TeV.410470.PhPy8EG….DAOD_PHYS.e6337_p4172`).
 */

/** A directory below a download directory: a scope (file DIDs) or a dataset (one dataset DID). */
export interface FolderKind {
  readonly layout: 'scope' | 'dataset';
  readonly scope: string;
}

/** Classifies a folder name: `user.alice` and `mc16_13TeV` are scopes, longer dotted names are datasets. */
export function classifyFolder(name: string): FolderKind {
  if (/^(user|group)\.[^.]+$/.test(name) || !name.includes('.')) return { layout: 'scope', scope: name };
  return { layout: 'dataset', scope: scopeOfName(name) };
}

/** Rucio's rule for names without an explicit scope: `user.x.…`/`group.x.…` → two fields, else the first. */
export function scopeOfName(name: string): string {
  const fields = name.split('.');
  if ((fields[0] === 'user' || fields[0] === 'group') && fields.length > 2)
    return `${fields[0]}.${fields[1]}`;
  return fields[0] as string;
}

/** Files rucio leaves while it downloads, which are not part of any DID. */
export function isPartialDownload(name: string): boolean {
  return name.endsWith('.part') || name.startsWith('.');
}
