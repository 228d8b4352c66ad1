import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { addressRefusal, parseWebhookUrl, safeLookup } from './safety.js';

export const RESPONSE_READ_LIMIT = 64 * 1024;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Open connections per receiver origin (host:port), in use or idle. */
export const SOCKETS_PER_ORIGIN = 32;

/**
 * Keep-alive pools, one set per (scheme, private networks allowed): the agent pools per origin
 * (host:port) itself. A new TCP (and TLS) connection per delivery cost more than the POST. The
 * address check stays at connect time (the agent's `lookup`); a reused socket was checked when
 * it connected. Idle sockets close on the receiver's Keep-Alive hint (Node ≥ 19) or its close.
 */
const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, allowPrivate: boolean): http.Agent {
  const key = `${protocol}${allowPrivate}`;
  let a = agents.get(key);
  if (!a) {
    const opts = { keepAlive: true, maxSockets: SOCKETS_PER_ORIGIN, maxFreeSockets: SOCKETS_PER_ORIGIN, lookup: safeLookup(protocol, allowPrivate) };
    a = protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
    agents.set(key, a);
  }
  return a;
}

/** Closes the idle pooled connections (tests, shutdown). */
export function closeWebhookPools() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** First bytes of the response (≤ 64 KiB), for the log. */
  body?: string;
}

/**
 * One POST, with node:http(s) rather than fetch so the address is checked at connect time
 * (safeLookup). Redirects are never followed (a 3xx is just a non-2xx answer); the whole
 * exchange has a 10 s deadline (AbortSignal.timeout); at most 64 KiB of the response is read.
 */
export async function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: { allowPrivate: boolean; timeoutMs?: number; shutdown?: AbortSignal },
): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  let url: URL;
  try {
    url = parseWebhookUrl(rawUrl, opts.allowPrivate);
  } catch (e) {
    return done({ statusCode: null, error: `invalid URL: ${(e as Error).message}` });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = addressRefusal(host, url.protocol, opts.allowPrivate);
    if (why) return done({ statusCode: null, error: `webhook URL ${why}` });
  }
  if (opts.shutdown?.aborted) return done({ statusCode: null, error: SHUTTING_DOWN });
  const deadline = AbortSignal.timeout(opts.timeoutMs ?? DELIVERY_TIMEOUT_MS);
  const signal = opts.shutdown ? AbortSignal.any([deadline, opts.shutdown]) : deadline;
  const payload = Buffer.from(body);
  const first = await exchange(url, headers, payload, signal, opts);
  // A pooled socket the receiver closed while idle fails at once with ECONNRESET before any
  // answer: Node's advice is to retry such a request once on a fresh connection.
  const r = first.reusedSocketReset && !signal.aborted ? await exchange(url, headers, payload, signal, opts) : first;
  return done({ statusCode: r.statusCode, error: r.error, body: r.body });
}

type Exchange = Omit<SendResult, 'durationMs'> & { reusedSocketReset?: boolean };

function exchange(
  url: URL,
  headers: Record<string, string>,
  payload: Buffer,
  signal: AbortSignal,
  opts: { allowPrivate: boolean; timeoutMs?: number; shutdown?: AbortSignal },
) {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<Exchange>((resolve) => {
    let settled = false;
    const finish = (r: Exchange) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length), 'user-agent': 'enforcement-webhooks/1' },
        signal,
        agent: agentFor(url.protocol, opts.allowPrivate),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () => finish({ statusCode: res.statusCode ?? null, error: null, body: Buffer.concat(chunks).toString('utf8') });
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_READ_LIMIT) chunks.push(c.subarray(0, RESPONSE_READ_LIMIT - size));
          size += c.length;
          if (size >= RESPONSE_READ_LIMIT) {
            end();
            res.destroy(); // the rest is not read: the connection is dropped, not pooled
          }
        });
        // Read to the end, so the socket goes back to the pool.
        res.on('end', end);
        res.on('error', (err) =>
          finish({ statusCode: res.statusCode ?? null, error: describe(err, signal, opts.timeoutMs ?? DELIVERY_TIMEOUT_MS, opts.shutdown) }),
        );
      },
    );
    req.on('error', (err) =>
      finish({
        statusCode: null,
        error: describe(err, signal, opts.timeoutMs ?? DELIVERY_TIMEOUT_MS, opts.shutdown),
        reusedSocketReset: req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET',
      }),
    );
    req.end(payload);
  });
}

const SHUTTING_DOWN = 'aborted: the service was shutting down (the attempt is retried)';

function describe(err: Error, signal: AbortSignal, timeoutMs: number, shutdown?: AbortSignal): string {
  if (shutdown?.aborted) return SHUTTING_DOWN;
  if (signal.aborted) return `timeout: no complete answer within ${timeoutMs / 1000} s`;
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
