/**
 * HTML by tagged template: every interpolated value is escaped unless it is already `Html` (made by `html`
 * itself or by `raw`). So a label like `<script>` always renders as text, and pages never concatenate
 * strings into markup by hand.
 *
 * @example
 *   const row = html`<tr><td>${token.label}</td></tr>`;          // label escaped
 *   const table = html`<table>${tokens.map((t) => html`<tr><td>${t.id}</td></tr>`)}</table>`;
 */

/** Markup that is safe to send: built by `html` or vouched for by `raw`. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** What may appear inside `${…}`: escaped text, markup, nothing (undefined, null, false render as ""), or lists. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** The tagged template: literal parts are trusted, interpolations are escaped (lists are joined). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup that must not be escaped (a constant stylesheet, a fragment from a vetted renderer). */
export function raw(text: string): Html {
  return new Html(text);
}
