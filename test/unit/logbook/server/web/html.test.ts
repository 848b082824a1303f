import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../../../logbook/server/web/html.js';

describe('html', () => {
  it('escapes every interpolated string, also inside attributes', () => {
    const label = `<script>alert("x")</script>&'`;
    expect(html`<td title="${label}">${label}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>',
    );
  });

  it('keeps nested html and raw() fragments, joins lists, drops undefined, null and false', () => {
    const rows = ['a<b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${rows}</ul>${undefined}${null}${false}${raw('<hr>')}${0}`.text).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul><hr>0',
    );
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('alice/higgs-ww@v7')).toBe('alice/higgs-ww@v7');
  });
});
