// Settings read at start from /config.json (written by scripts/serve.mjs locally, deployed
// beside index.html on AWS).
export interface Config {
  api_base: string;
  auth: 'local' | 'cognito';
  stripe_js: string;
  cognito_authority?: string;
  cognito_client_id?: string;
  cognito_domain?: string;
  cognito_redirect_uri?: string;
}

export let config: Config = { api_base: '/api', auth: 'local', stripe_js: 'https://js.stripe.com/v3/' };

export async function loadConfig(): Promise<Config> {
  try {
    const response = await fetch('/config.json', { cache: 'no-cache' });
    if (response.ok) config = { ...config, ...(await response.json()) };
  } catch {
    // no config.json (or a host that answers index.html instead): the defaults
  }
  return config;
}

/** Where Cognito sends the browser back after sign-in and sign-out: the deployed client's own
 * address (the app client's callback and logout URL), else this page's origin. */
export function redirectUri(settings: Config = config): string {
  return settings.cognito_redirect_uri ?? `${location.origin}/`;
}

/** The hosted UI's sign-out address, which ends Cognito's own session too (null without a domain). */
export function hostedLogoutUrl(settings: Config = config): string | null {
  if (settings.auth !== 'cognito' || !settings.cognito_domain || !settings.cognito_client_id) return null;
  const query = new URLSearchParams({ client_id: settings.cognito_client_id, logout_uri: redirectUri(settings) });
  return `${settings.cognito_domain.replace(/\/+$/, '')}/logout?${query}`;
}
