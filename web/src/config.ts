// Settings read at start from /config.json (written by scripts/serve.mjs locally, deployed
// beside index.html on AWS).
export interface Config {
  api_base: string;
  auth: 'local' | 'cognito';
  stripe_js: string;
  cognito_authority?: string;
  cognito_client_id?: string;
  cognito_domain?: string;
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
