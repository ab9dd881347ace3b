import { describe, expect, it } from 'vitest';
import { hostedLogoutUrl, redirectUri, type Config } from '../src/config';

const deployed: Config = {
  api_base: '/api', auth: 'cognito', stripe_js: 'https://js.stripe.com/v3/',
  cognito_authority: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Pool1',
  cognito_client_id: 'client123', cognito_domain: 'https://coprod-prod-1.auth.eu-west-3.amazoncognito.com',
  cognito_redirect_uri: 'https://d111.cloudfront.net/',
};

describe("Cognito's hosted UI settings", () => {
  it('comes back to the redirect URI the stack registered, else to this origin', () => {
    expect(redirectUri(deployed)).toBe('https://d111.cloudfront.net/');
    expect(redirectUri({ ...deployed, cognito_redirect_uri: undefined })).toBe(`${location.origin}/`);
  });

  it("signs out of the hosted UI's session too, back to the client", () => {
    const url = new URL(hostedLogoutUrl(deployed)!);
    expect(url.origin + url.pathname).toBe('https://coprod-prod-1.auth.eu-west-3.amazoncognito.com/logout');
    expect(url.searchParams.get('client_id')).toBe('client123');
    expect(url.searchParams.get('logout_uri')).toBe('https://d111.cloudfront.net/');
  });

  it('has nothing to sign out of locally or without a domain', () => {
    expect(hostedLogoutUrl({ ...deployed, auth: 'local' })).toBeNull();
    expect(hostedLogoutUrl({ ...deployed, cognito_domain: undefined })).toBeNull();
  });
});
