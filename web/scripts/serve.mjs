// The built client (dist/) on http://127.0.0.1:WEB_PORT, the local API under /api (a proxy,
// as CloudFront serves it under /api on AWS: one origin, no CORS), and /config.json, the
// settings the page reads at start (on AWS a config.json file beside index.html).
import { createServer, request as forward } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(fileURLToPath(new URL('../dist', import.meta.url)));
const port = Number(process.env.WEB_PORT || 8080);
const host = process.env.WEB_HOST || '127.0.0.1';
const api = new URL(process.env.API_URL || 'http://127.0.0.1:8000');
const stripePort = process.env.STRIPE_PORT || '8102';
const config = {
  api_base: '/api',
  auth: 'local',
  stripe_js: process.env.STRIPE_JS_URL || `http://127.0.0.1:${stripePort}/js.stripe.com/v3/`,
};
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};

function proxy(req, res) {
  const target = req.url.slice('/api'.length) || '/';
  const headers = { ...req.headers, host: api.host };
  const upstream = forward({ hostname: api.hostname, port: api.port, path: target, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  upstream.on('error', () => {
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '2' });
    res.end(JSON.stringify({ error: { code: 'unavailable', message: 'the API does not answer; try again' } }));
  });
  req.pipe(upstream);
}

async function file(req, res) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let local = normalize(resolve(dist, '.' + path));
  if (!local.startsWith(dist)) local = resolve(dist, 'index.html');
  try {
    if (!(await stat(local)).isFile()) local = resolve(dist, 'index.html');
  } catch {
    local = resolve(dist, 'index.html');
  }
  const body = await readFile(local);
  const immutable = local.includes(`${dist}/assets/`);
  res.writeHead(200, { 'Content-Type': TYPES[extname(local)] || 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin' });
  res.end(body);
}

createServer((req, res) => {
  if (req.url === '/api' || req.url.startsWith('/api/')) return proxy(req, res);
  if (req.url === '/config.json') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    return res.end(JSON.stringify(config));
  }
  file(req, res).catch(() => { res.writeHead(500); res.end(); });
}).listen(port, host, () => console.log(`web client on http://${host}:${port}`));
