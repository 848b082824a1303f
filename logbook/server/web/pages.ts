/**
 * Every page of the web interface, explicitly (no self-registration). To add a page: write
 * pages/NAME.ts exporting `definePage({...})` (see page.ts) and add it here.
 */
import type { WebPage } from './page.js';
import { adminPage } from './pages/admin.js';
import { adminAuditPage } from './pages/admin-audit.js';
import { adminJobPage, adminJobStartPost, adminJobsPage } from './pages/admin-jobs.js';
import { adminQuotaPost, adminQuotasPage } from './pages/admin-quotas.js';
import { adminStoragePage } from './pages/admin-storage.js';
import {
  adminMakeAdminPost,
  adminUnmakeAdminPost,
  adminUserAddPost,
  adminUsersPage,
} from './pages/admin-users.js';
import { deleteEntryConfirmPage, deleteEntryPage } from './pages/delete-entry.js';
import { deleteVersionConfirmPage, deleteVersionPage } from './pages/delete-version.js';
import { diffPage } from './pages/diff.js';
import { downloadPage } from './pages/download.js';
import { entriesPage } from './pages/entries.js';
import { entryHistoryPage } from './pages/entry-history.js';
import { filesPage } from './pages/files.js';
import { homePage } from './pages/home.js';
import { oidcCallbackPage } from './pages/oidc-callback.js';
import { oidcLoginPage } from './pages/oidc-login.js';
import { publishPage, unpublishPage } from './pages/publish.js';
import { signInPage, signInPost } from './pages/sign-in.js';
import { signOutPost } from './pages/sign-out.js';
import { tokenCreatePost, tokenRevokePage, tokenRevokePost, tokensPage } from './pages/tokens.js';
import { versionPage } from './pages/version.js';

export const PAGES: readonly WebPage[] = [
  homePage,
  signInPage,
  signInPost,
  signOutPost,
  entriesPage,
  entryHistoryPage,
  versionPage,
  filesPage,
  downloadPage,
  diffPage,
  deleteVersionConfirmPage,
  deleteVersionPage,
  deleteEntryConfirmPage,
  deleteEntryPage,
  publishPage,
  unpublishPage,
  oidcLoginPage,
  oidcCallbackPage,
  tokensPage,
  tokenCreatePost,
  tokenRevokePage,
  tokenRevokePost,
  adminPage,
  adminUsersPage,
  adminUserAddPost,
  adminMakeAdminPost,
  adminUnmakeAdminPost,
  adminQuotasPage,
  adminQuotaPost,
  adminStoragePage,
  adminJobsPage,
  adminJobStartPost,
  adminJobPage,
  adminAuditPage,
];
