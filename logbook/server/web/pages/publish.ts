/**
 * POST /entries/:owner/:name/:version/publish and …/unpublish: the owner's buttons on a public version's
 * page. They call what `vml logbook publish|unpublish` call (public/publish.ts): publishing checks the
 * sanitization report and re-runs the content scan before copying into the public namespace; unpublishing
 * removes the copy and keeps the owner's version. Both are audited there. Others get the usual 404.
 */
import { isVmlError } from '../../../../core/errors.js';
import { ApiFailure } from '../../authenticate.js';
import { publishVersion, unpublishVersion } from '../../public/publish.js';
import { notFound, openVersion, versionUrl } from '../entry-pages.js';
import { definePage, redirect, WebError } from '../page.js';

export const publishPage = definePage({
  method: 'POST',
  path: '/entries/:owner/:name/:version/publish',
  guard: 'user',
  async handle(ctx) {
    const { entry, ref, own } = await openVersion(ctx);
    if (!own) throw notFound();
    const version = `${entry}@v${ref.manifest.seq}`;
    await refusalsAsPages(() =>
      publishVersion(ctx.services, { owner: ctx.user.name, version, actor: ctx.user.name }),
    );
    return redirect(versionUrl(entry, ref.manifest.seq));
  },
});

export const unpublishPage = definePage({
  method: 'POST',
  path: '/entries/:owner/:name/:version/unpublish',
  guard: 'user',
  async handle(ctx) {
    const { entry, ref, own } = await openVersion(ctx);
    if (!own) throw notFound();
    const version = `${entry}@v${ref.manifest.seq}`;
    await refusalsAsPages(() => unpublishVersion(ctx.services, { version, actor: ctx.user.name }));
    return redirect(versionUrl(entry, ref.manifest.seq));
  },
});

// The checks' messages name the version and what is wrong (never a value): show them as a 400 page.
async function refusalsAsPages(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiFailure || (isVmlError(error) && error.code !== 'E_CORRUPT')) {
      throw new WebError(400, error.message);
    }
    throw error;
  }
}
