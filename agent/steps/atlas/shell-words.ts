/**
 * Just enough of the shell's word syntax to read `export NAME=value` lines of rc files without running
 * them: quotes, backslashes, `$NAME` and `${NAME}` from the variables seen so far. A value that needs the
 * shell to run something (`$(…)`, backquotes) cannot be known without running it: undefined.
 */

/** One assignment of an rc file line, or undefined when the line is not one. */
export interface Assignment {
  readonly name: string;
  /** undefined for `export NAME` (marks an existing shell variable) and for values that need a command. */
  readonly value: string | undefined;
  readonly exported: boolean;
  /** The value needs the shell to run a command: it cannot be known from the file. */
  readonly computed: boolean;
}

const LINE = /^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)(=(.*))?$/;

/** Parses `export A=b`, `A=b` or `export A`; `vars` resolves `$A` in the value. */
export function parseAssignment(line: string, vars: ReadonlyMap<string, string>): Assignment | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const exported = match[1] !== undefined;
  const name = match[2] as string;
  if (match[3] === undefined)
    return exported ? { name, value: undefined, exported, computed: false } : undefined;
  const value = readWord(match[4] ?? '', vars);
  return { name, value, exported, computed: value === undefined };
}

/** The first shell word of `text`, expanded; undefined if it needs command substitution. */
export function readWord(text: string, vars: ReadonlyMap<string, string>): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === ';') break;
    if (c === '`') return undefined;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && '"\\$`'.includes(text[j + 1] ?? '')) out += text[++j];
        else if (text[j] === '`') return undefined;
        else if (text[j] === '$') {
          const expanded = expand(text, j, vars);
          if (expanded === undefined) return undefined;
          out += expanded.value;
          j = expanded.end - 1;
        } else out += text[j];
      }
      i = j + 1;
    } else if (c === '\\') {
      out += text[i + 1] ?? '';
      i += 2;
    } else if (c === '$') {
      const expanded = expand(text, i, vars);
      if (expanded === undefined) return undefined;
      out += expanded.value;
      i = expanded.end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `$NAME`, `${NAME}` at `at`; undefined for `$(`, `${NAME:-…}` and other forms that need the shell. */
function expand(
  text: string,
  at: number,
  vars: ReadonlyMap<string, string>,
): { value: string; end: number } | undefined {
  const rest = text.slice(at + 1);
  const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
  const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (braced) return { value: vars.get(braced[1] as string) ?? '', end: at + 1 + braced[0].length };
  if (plain) return { value: vars.get(plain[0]) ?? '', end: at + 1 + plain[0].length };
  if (rest.startsWith('(') || rest.startsWith('{')) return undefined;
  return { value: '$', end: at + 1 };
}

/** `value` in single quotes, safe to paste into a shell script. */
export function shellQuote(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}
