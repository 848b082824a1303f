/**
 * A unified diff of two small texts (configuration files), as `diff -u` prints it, for --dry-run. The
 * longest common subsequence is computed directly: the files are a few hundred lines at most.
 */

/** Hunk lines (" ", "-", "+" prefixed, with "@@ -a,b +c,d @@" headers) turning `before` into `after`. */
export function unifiedDiff(before: string, after: string, context = 3): string[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = editScript(a, b);
  const out: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.op === ' ') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change that is
    // at most 2*context unchanged lines from the previous one.
    const start = Math.max(0, i - context);
    let end = i;
    let quiet = 0;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]?.op === ' ') {
        quiet++;
        if (quiet > 2 * context) break;
      } else {
        quiet = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const first = ops[start] as Op;
    const aCount = hunk.filter((o) => o.op !== '+').length;
    const bCount = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${range(first.aLine, aCount)} +${range(first.bLine, bCount)} @@`);
    for (const o of hunk) out.push(`${o.op}${o.text}`);
    i = stop;
  }
  return out;
}

interface Op {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
  /** 1-based line numbers where this op sits in each text. */
  readonly aLine: number;
  readonly bLine: number;
}

function editScript(a: readonly string[], b: readonly string[]): Op[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  const at = (x: number, y: number) => (lcs[x] as number[])[y] as number;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: ' ', text: a[i] as string, aLine: i + 1, bLine: j + 1 });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || at(i, j + 1) > at(i + 1, j))) {
      ops.push({ op: '+', text: b[j] as string, aLine: i + 1, bLine: j + 1 });
      j++;
    } else {
      ops.push({ op: '-', text: a[i] as string, aLine: i + 1, bLine: j + 1 });
      i++;
    }
  }
  return ops;
}

// diff -u writes "start,count", a count of 1 alone, and for an empty range the line before it.
function range(line: number, count: number): string {
  if (count === 0) return `${line - 1},0`;
  return count === 1 ? `${line}` : `${line},${count}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
