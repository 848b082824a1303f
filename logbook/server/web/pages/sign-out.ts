/** Sign-out: a POST (with CSRF field) from the layout's button, so a link elsewhere cannot sign anyone out. */
import { definePage, redirect } from '../page.js';
import { endSession } from '../session-cookie.js';

export const signOutPost = definePage({
  method: 'POST',
  path: '/signout',
  guard: 'user',
  async handle(ctx) {
    await endSession(ctx);
    return redirect('/signin');
  },
});
