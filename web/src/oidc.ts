// Cognito's hosted UI on AWS: the authorization code flow with PKCE, through oidc-client-ts.
// The API takes Cognito ID tokens. Loaded only when someone signs in this way.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { config, redirectUri } from './config';
import { signIn } from './session';

function manager(): UserManager {
  if (!config.cognito_authority || !config.cognito_client_id) throw new Error('Cognito is not configured');
  return new UserManager({
    authority: config.cognito_authority,
    client_id: config.cognito_client_id,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: 'openid email profile',
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

export async function startSignIn(): Promise<void> {
  await manager().signinRedirect();
}

export async function completeSignIn(): Promise<void> {
  const signedIn = await manager().signinRedirectCallback();
  if (signedIn.id_token) signIn(signedIn.id_token);
  history.replaceState(null, '', `${redirectUri()}#/me`);
}
