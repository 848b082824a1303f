/** The page of a sign-in that did not succeed: what happened and what to do, with a way back to sign-in. */
import { OIDC_FAILURE_STATUS, OidcFailure } from '../../oidc.js';
import { type Html, html } from '../html.js';
import { type PageResult, view } from '../page.js';

const TITLES: Readonly<Record<OidcFailure['reason'], string>> = {
  unavailable: 'Single sign-on is unavailable',
  refused: 'Sign-in refused',
  expired: 'Sign-in expired',
  'bad-name': 'No usable user name',
  'no-user': 'No account on this server',
  taken: 'Account linked to someone else',
};

/** The failure page, with the status of the failure's reason. */
export function oidcFailureView(failure: OidcFailure): PageResult {
  return view(TITLES[failure.reason], failureBody(failure), OIDC_FAILURE_STATUS[failure.reason]);
}

function failureBody(failure: OidcFailure): Html {
  return html`<p class="error" role="alert">${failure.message}</p>
<p>${failure.hint}</p>
<p><a href="/signin">Back to sign-in</a></p>`;
}

/** The answer of both OIDC routes when the server runs without --oidc-issuer. */
export function oidcOffView(): PageResult {
  const failure = new OidcFailure(
    'refused',
    'Single sign-on is not turned on for this server',
    'Sign in with your user name and password, or ask the administrator to start the server with --oidc-issuer',
  );
  return view('Single sign-on is off', failureBody(failure), 404);
}
