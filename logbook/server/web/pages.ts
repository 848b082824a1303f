/**
 * Every page of the web interface, explicitly (no self-registration). To add a page: write
 * pages/NAME.ts exporting `definePage({...})` (see page.ts) and add it here.
 */
import type { WebPage } from './page.js';
import { entriesPage } from './pages/entries.js';
import { homePage } from './pages/home.js';
import { oidcCallbackPage } from './pages/oidc-callback.js';
import { oidcLoginPage } from './pages/oidc-login.js';
import { signInPage, signInPost } from './pages/sign-in.js';
import { signOutPost } from './pages/sign-out.js';

export const PAGES: readonly WebPage[] = [
  homePage,
  signInPage,
  signInPost,
  signOutPost,
  entriesPage,
  oidcLoginPage,
  oidcCallbackPage,
];
