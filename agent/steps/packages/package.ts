/**
 * One installed package as the packages step records it, the same shape for RPM and dpkg roots, and the
 * names it goes by: the key that pairs the same package in two sets, and the NEVRA a package manager takes.
 */

/** An installed package. For dpkg, `version` is the upstream version and `release` the Debian revision. */
export interface Package {
  readonly name: string;
  /** 0 when the package has none (RPM and dpkg treat a missing epoch as 0). */
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

/** Which database a package set came from; `none` when the root has neither. */
export type PackageFormat = 'rpm' | 'dpkg' | 'none';

/** `name.arch`: the same package in two sets, whatever its version (several arches may be installed). */
export function packageKey(p: Package): string {
  return `${p.name}.${p.arch}`;
}

/** `[epoch:]version-release`, the epoch only when not 0, as rpm and dnf print it. */
export function evr(p: Package): string {
  const head = p.epoch === 0 ? p.version : `${p.epoch}:${p.version}`;
  return p.release === '' ? head : `${head}-${p.release}`;
}

/** `name-[epoch:]version-release.arch`: what `dnf install` takes to mean exactly this build. */
export function nevra(p: Package): string {
  return `${p.name}-${evr(p)}.${p.arch}`;
}

/** Whether two records are the same build. */
export function sameBuild(a: Package, b: Package): boolean {
  return a.epoch === b.epoch && a.version === b.version && a.release === b.release;
}

/** Sorted by name, then arch, so facts and diffs come out in a stable order. */
export function sortPackages(packages: Iterable<Package>): Package[] {
  return [...packages].sort((a, b) => compareText(a.name, b.name) || compareText(a.arch, b.arch));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two version strings the way rpm's rpmvercmp does: runs of digits compare as numbers, runs of
 * letters as text, a digit run beats a letter run, `~` sorts before anything (pre-releases) and `^` after
 * the base version. Returns -1, 0 or 1. Used for "upgraded"/"downgraded" in diffs only.
 */
export function compareVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !/[A-Za-z0-9~^]/.test(a[i] as string)) i++;
    while (j < b.length && !/[A-Za-z0-9~^]/.test(b[j] as string)) j++;
    for (const mark of ['~', '^']) {
      const ma = a[i] === mark;
      const mb = b[j] === mark;
      if (ma || mb) {
        if (!(ma && mb)) return tildeOrCaret(mark, ma, i >= a.length, j >= b.length);
        i++;
        j++;
      }
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /[0-9]/.test(a[i] as string);
    const run = numeric ? /^[0-9]+/ : /^[A-Za-z]+/;
    const ra = run.exec(a.slice(i))?.[0] ?? '';
    const rb = run.exec(b.slice(j))?.[0] ?? '';
    if (rb === '') return numeric ? 1 : -1; // a digit run is newer than a letter run
    i += ra.length;
    j += rb.length;
    const order = numeric ? compareNumbers(ra, rb) : compareText(ra, rb);
    if (order !== 0) return order;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

// "~" before anything, even the end of the string; "^" after the end but before anything else.
function tildeOrCaret(mark: string, inA: boolean, endA: boolean, endB: boolean): number {
  if (mark === '~') return inA ? -1 : 1;
  if (inA) return endB ? 1 : -1;
  return endA ? -1 : 1;
}

function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareText(x, y);
}

/** Orders two builds of one package by epoch, version, release. */
export function compareBuilds(a: Package, b: Package): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return compareVersions(a.version, b.version) || compareVersions(a.release, b.release);
}
