import { vi } from 'vitest';

export interface Call { method: string; path: string; query: URLSearchParams; headers: Headers; body: unknown }

/** A stand-in for the API: `answer` decides each response; every request is recorded. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

export function fakeApi(answer: (call: Call) => Answer | Promise<Answer>) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const text = request.method === 'GET' ? '' : await request.text();
    const url = new URL(request.url);
    const call = { method: request.method, path: url.pathname.replace(/^\/api/, ''), query: url.searchParams,
      headers: request.headers, body: text ? JSON.parse(text) : undefined };
    calls.push(call);
    const { status, body, headers } = await answer(call);
    return new Response(body === undefined ? null : JSON.stringify(body),
      { status, headers: { 'Content-Type': 'application/json', ...(headers ?? {}) } });
  }));
  return calls;
}

export const error = (code: string, message: string, field?: string) => ({ error: { code, message, ...(field ? { field } : {}) } });
