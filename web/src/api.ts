// Every call to the API goes through openapi-fetch with the types generated from its OpenAPI
// document (src/api/schema.d.ts): a change of the API that breaks the client fails `tsc`.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/schema';
import { config } from './config';
import { token } from './session';

export type Schemas = components['schemas'];
export type Film = Schemas['Film'];
export type Pledge = Schemas['Pledge'];

const auth: Middleware = {
  onRequest({ request }) {
    if (token.value) request.headers.set('Authorization', `Bearer ${token.value}`);
    return request;
  },
};

let client: ReturnType<typeof createClient<paths>> | null = null;

export function api() {
  if (!client) {
    client = createClient<paths>({ baseUrl: config.api_base, fetch: (request) => globalThis.fetch(request) });
    client.use(auth);
  }
  return client;
}

/** What went wrong, for the form: the API's {"error": {code, message, field}}, and for a 503
 * how long to wait (Retry-After). */
export class ApiProblem extends Error {
  constructor(public code: string, message: string, public field: string | null = null,
              public status = 0, public retryAfter: number | null = null) {
    super(message);
  }
}

export function problem(error: unknown, response: Response): ApiProblem {
  const detail = (error as { error?: Schemas['ErrorDetail'] } | undefined)?.error;
  const retry = Number(response.headers.get('Retry-After'));
  return new ApiProblem(detail?.code ?? `http_${response.status}`, detail?.message ?? response.statusText,
    detail?.field ?? null, response.status, Number.isFinite(retry) && retry > 0 ? retry : null);
}

/** The data of an openapi-fetch answer, or an ApiProblem thrown. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer;
  try {
    answer = await call;
  } catch {
    throw new ApiProblem('network', 'network', null, 0, 2);
  }
  if (answer.error !== undefined || !answer.response.ok) throw problem(answer.error, answer.response);
  return answer.data as T;
}
