/**
 * GET /entries/:owner/:name/:version/download/PATH: one file's bytes, streamed chunk by chunk as the
 * logbook verifies them. Always `application/octet-stream` as an attachment with `nosniff` and a sandbox
 * policy: a backed-up HTML or SVG file is never rendered, so it cannot run script on this site.
 */
import { fileStream, findNode } from '../../view/files.js';
import { notFound, openVersion } from '../entry-pages.js';
import { definePage, SENT } from '../page.js';

export const downloadPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/:version/download/*',
  guard: 'user',
  async handle(ctx) {
    const { logbook, ref } = await openVersion(ctx);
    const node = await findNode(logbook, ref.manifest.tree, ctx.params['*'] ?? '');
    if (node === undefined || node.type !== 'file') throw notFound();
    // No Content-Length: a file that changed while it was backed up holds what was read, not `size` bytes.
    await ctx.reply
      .status(200)
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', contentDisposition(node.name))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(fileStream(logbook, node)); // a closed connection destroys the stream, which stops the reads
    return SENT;
  },
});

/**
 * `attachment; filename="plain"; filename*=UTF-8''encoded` (RFC 6266): the plain name keeps only safe
 * printable ASCII (quotes, backslashes, controls and non-ASCII become "_"), the encoded one is exact.
 */
export function contentDisposition(name: string): string {
  const plain = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${plain}"; filename*=UTF-8''${encoded}`;
}
