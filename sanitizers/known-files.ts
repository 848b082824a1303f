/**
 * Two shapes most sanitizers share, so each sanitizer file is only its knowledge (where, what, how to get it
 * back): files that are credentials as a whole, and configuration files where only some values are.
 */
import { defineSanitizer, type FindingDetails, type Sanitizer } from './sanitizer.js';

type Metadata = Omit<Sanitizer, 'sanitize'>;

export interface WholeFiles extends Metadata {
  /** Finding type, or a function of the path. */
  readonly type: string | ((path: string) => string);
  readonly credential?: 'session' | 'long-lived';
  readonly restoreHint?: string;
  /** Matched files that are kept after all (a public key beside its private key). */
  readonly keep?: (path: string) => boolean;
}

/** A sanitizer that deletes every matching file. */
export function wholeFiles(spec: WholeFiles): Sanitizer {
  const { type, credential, restoreHint, keep, ...meta } = spec;
  return defineSanitizer({
    ...meta,
    async sanitize({ files, tree, report }) {
      for (const path of files) {
        if (keep?.(path)) continue;
        await tree.remove(path);
        const details: FindingDetails = {
          type: typeof type === 'string' ? type : type(path),
          ...(credential ? { credential } : {}),
          ...(restoreHint ? { restoreHint } : {}),
        };
        report.removed(path, details);
      }
    },
  });
}

export interface SecretValues extends Metadata {
  readonly type: string;
  readonly credential?: 'session' | 'long-lived';
  readonly restoreHint?: string;
  /** Keys whose values are secret (INI, YAML, JSON with one key per line, shell assignments). */
  readonly keys?: RegExp;
  /** Whole lines to drop (for formats whose keys are not simple names, like .npmrc). */
  readonly dropLines?: RegExp;
}

const KEY_VALUE = /^(\s*(?:export\s+)?["']?)([^\s"'=:]+)(["']?\s*[:=]\s*["']?)([^"'\n]*?)(["']?\s*,?\s*)$/;

/** A sanitizer that blanks secret values (redact) or drops secret lines (strip-line), keeping the file. */
export function secretValues(spec: SecretValues): Sanitizer {
  const { type, credential, restoreHint, keys, dropLines, ...meta } = spec;
  return defineSanitizer({
    ...meta,
    async sanitize({ files, tree, report }) {
      for (const path of files) {
        const text = (await tree.read(path))?.toString('latin1');
        if (text === undefined) continue;
        let redacted = 0;
        let dropped = 0;
        const out: string[] = [];
        for (const line of text.split('\n')) {
          if (dropLines?.test(line)) {
            dropped++;
            continue;
          }
          const m = keys ? KEY_VALUE.exec(line) : null;
          if (m && keys?.test(m[2] as string) && (m[4] as string).trim() !== '') {
            redacted++;
            out.push(`${m[1]}${m[2]}${m[3]}REDACTED-BY-VML${m[5]}`);
            continue;
          }
          out.push(line);
        }
        if (redacted + dropped === 0) continue;
        await tree.write(path, Buffer.from(out.join('\n'), 'latin1'));
        const details = {
          type,
          ...(credential ? { credential } : {}),
          ...(restoreHint ? { restoreHint } : {}),
        };
        if (redacted > 0) report.redacted(path, { ...details, count: redacted });
        if (dropped > 0) report.strippedLines(path, { ...details, count: dropped });
      }
    },
  });
}
