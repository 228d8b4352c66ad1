import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { addressRefusal, parseWebhookUrl, safeLookup } from './safety.js';

export const RESPONSE_READ_LIMIT = 64 * 1024;
export const DELIVERY_TIMEOUT_MS = 10_000;

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
  opts: { allowPrivate: boolean; timeoutMs?: number },
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
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DELIVERY_TIMEOUT_MS);
  const lib = url.protocol === 'https:' ? https : http;
  const payload = Buffer.from(body);
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve(done(r));
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length), 'user-agent': 'enforcement-webhooks/1' },
        lookup: safeLookup(url.protocol, opts.allowPrivate),
        signal,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () => {
          finish({ statusCode: res.statusCode ?? null, error: null, body: Buffer.concat(chunks).toString('utf8') });
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_READ_LIMIT) chunks.push(c.subarray(0, RESPONSE_READ_LIMIT - size));
          size += c.length;
          if (size >= RESPONSE_READ_LIMIT) end();
        });
        res.on('end', end);
        res.on('error', (err) => finish({ statusCode: res.statusCode ?? null, error: describe(err, signal, opts.timeoutMs ?? DELIVERY_TIMEOUT_MS) }));
      },
    );
    req.on('error', (err) => finish({ statusCode: null, error: describe(err, signal, opts.timeoutMs ?? DELIVERY_TIMEOUT_MS) }));
    req.end(payload);
  });
}

function describe(err: Error, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timeout: no complete answer within ${timeoutMs / 1000} s`;
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
