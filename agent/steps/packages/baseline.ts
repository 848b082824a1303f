/**
 * Baselines: the package set of a base image, so that a version records only what the owner changed.
 * A baseline is `none`, the name of a list shipped in recipes/baselines/ (`cernvm`), or a file in the root.
 * A list has one entry per line (`#` starts a comment): a bare name stands for every build of that
 * package; a line of `rpm -qa` output (`name-[epoch:]version-release.arch`) for that exact build, so that
 * an upgraded base package is still recorded.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VmlError } from '../../../core/errors.js';
import { type Package, packageKey, sameBuild } from './package.js';

/** A baseline as loaded: its label for facts and messages, and the test. */
export interface Baseline {
  /** As the recipe wrote it: `none`, `cernvm`, `etc/vml/baseline.txt`. */
  readonly label: string;
  /** Entries in the list (0 for `none`). */
  readonly size: number;
  /** Whether `p` is part of the base image. */
  has(p: Package): boolean;
}

/** Where the shipped lists live; found by walking up, as the sources and dist/ sit at different depths. */
export const SHIPPED_BASELINES_DIR = findBaselinesDir(dirname(fileURLToPath(import.meta.url)));

/** Whether `value` names a shipped list rather than a file in the root. */
export function isShippedName(value: string): boolean {
  return /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value) && value !== 'none';
}

/** Whether a shipped list called `name` exists. */
export function shippedBaselineExists(name: string): boolean {
  return existsSync(join(SHIPPED_BASELINES_DIR, `${name}.txt`));
}

/** Loads baseline `value` for `root`; throws E_NOT_FOUND when its list is missing. */
export async function loadBaseline(value: string, root: string): Promise<Baseline> {
  if (value === 'none') return { label: value, size: 0, has: () => false };
  const file = isShippedName(value) ? join(SHIPPED_BASELINES_DIR, `${value}.txt`) : join(root, value);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VmlError('E_NOT_FOUND', `Cannot read the package baseline "${value}": ${file}`, {
      hint: isShippedName(value)
        ? `Shipped baselines are the .txt files in ${SHIPPED_BASELINES_DIR}`
        : 'Write the base image\'s package list there (rpm -qa > FILE on a fresh image), or use "baseline: none"',
      cause,
    });
  }
  return parseBaseline(value, text);
}

/** A baseline from the text of a list. */
export function parseBaseline(label: string, text: string): Baseline {
  const names = new Set<string>();
  const builds = new Map<string, Package[]>();
  let size = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    size++;
    const build = parseNevra(line);
    if (build === undefined) {
      names.add(line);
      continue;
    }
    const key = packageKey(build);
    builds.set(key, [...(builds.get(key) ?? []), build]);
  }
  return {
    label,
    size,
    has: (p) => names.has(p.name) || (builds.get(packageKey(p)) ?? []).some((b) => sameBuild(b, p)),
  };
}

const NEVRA = /^(.+)-(?:(\d+):)?(\d[^-]*)-([^-]+)\.([^.-]+)$/;

/** `name-[epoch:]version-release.arch` as rpm -qa prints it, or undefined for a bare name. */
export function parseNevra(text: string): Package | undefined {
  const match = NEVRA.exec(text);
  if (match === null) return undefined;
  const [, name, epoch, version, release, arch] = match;
  if (name === undefined || version === undefined || release === undefined || arch === undefined)
    return undefined;
  return { name, epoch: epoch === undefined ? 0 : Number(epoch), version, release, arch };
}

function findBaselinesDir(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'recipes', 'baselines');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(start, 'recipes', 'baselines'); // named in the "missing" message
  }
}
