/** The start page sends signed-in users to their entries (and others, through the guard, to sign-in). */
import { definePage, redirect } from '../page.js';

export const homePage = definePage({
  method: 'GET',
  path: '/',
  guard: 'user',
  async handle() {
    return redirect('/entries');
  },
});
