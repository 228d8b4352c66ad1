import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { fieldError } from '../http/problem.js';

export type AddressClass = 'public' | 'private' | 'forbidden';

/** Cloud metadata endpoints outside link-local: AWS over IPv6, Alibaba Cloud (in CGNAT space). */
const METADATA = new Set(['fd00:ec2::254', '100.100.100.200']);

/**
 * ipaddr.js range names. Anything not named public or private here is forbidden, so a special
 * range added by a newer ipaddr.js is refused until someone decides otherwise.
 */
const V4_PUBLIC = new Set(['unicast', 'amt', 'as112']);
const V4_PRIVATE = new Set(['loopback', 'private', 'carrierGradeNat']);
const V6_PUBLIC = new Set(['unicast', 'amt', 'as112v6']);
const V6_PRIVATE = new Set(['loopback', 'uniqueLocal']);

const NAT64_LOCAL = ipaddr.parse('64:ff9b:1::') as ipaddr.IPv6;
const v4At = (b: number[], i: number[]) => new ipaddr.IPv4(i.map((k) => b[k]));

/**
 * The IPv4 addresses an IPv6 address carries, wherever a translation or tunnel would deliver
 * to them: IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible
 * (::/96, deprecated), NAT64 (64:ff9b::/96), 6to4 (2002::/16, bits 16–47) and Teredo
 * (2001::/32: the server in bits 32–63, the client in the last 32 bits XOR 0xffffffff).
 * The local-use NAT64 prefix 64:ff9b:1::/48 is refused by classifyAddress instead: where its
 * IPv4 sits (RFC 6052 allows several layouts) is the operator's choice, unknown here.
 */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4[] {
  const b = a.toByteArray();
  const last = v4At(b, [12, 13, 14, 15]);
  const range = a.range() as string;
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return [last];
  if (range === '6to4') return [v4At(b, [2, 3, 4, 5])];
  if (range === 'teredo') return [v4At(b, [4, 5, 6, 7]), new ipaddr.IPv4([12, 13, 14, 15].map((k) => b[k] ^ 0xff))];
  if (b.slice(0, 12).every((x) => x === 0) && range === 'unicast') return [last]; // ::/96 other than :: and ::1
  return [];
}

function classifyV4(a: ipaddr.IPv4): AddressClass {
  if (METADATA.has(a.toString())) return 'forbidden';
  const range = a.range() as string;
  if (V4_PUBLIC.has(range)) return 'public';
  return V4_PRIVATE.has(range) ? 'private' : 'forbidden';
}

const RANK: Record<AddressClass, number> = { public: 0, private: 1, forbidden: 2 };
const worst = (cs: AddressClass[]) => cs.reduce((w, c) => (RANK[c] > RANK[w] ? c : w), 'public');

/**
 * Public, private (loopback, RFC 1918, CGNAT, unique local: allowed over http only with
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS) or forbidden (link-local, metadata, unspecified, multicast,
 * broadcast, reserved, documentation, …). An IPv6 address that embeds IPv4 addresses is as bad
 * as the worst of them.
 */
export function classifyAddress(address: string): AddressClass {
  if (isIP(address) === 0) return 'forbidden';
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.parse(address);
  } catch {
    return 'forbidden'; // e.g. a zone id ipaddr.js does not take
  }
  if (a.kind() === 'ipv4') return classifyV4(a as ipaddr.IPv4);
  const v6 = a as ipaddr.IPv6;
  if (METADATA.has(v6.toString()) || v6.match(NAT64_LOCAL, 48)) return 'forbidden';
  const inner = embeddedV4(v6);
  if (inner.length) return worst(inner.map(classifyV4));
  const range = v6.range() as string;
  if (V6_PUBLIC.has(range)) return 'public';
  return V6_PRIVATE.has(range) ? 'private' : 'forbidden';
}

/** Whether a resolved address may receive a webhook over `protocol`. Returns the reason if not. */
export function addressRefusal(address: string, protocol: string, allowPrivate: boolean): string | null {
  const c = classifyAddress(address);
  if (c === 'forbidden') return `resolves to ${address}, a link-local, metadata or reserved address`;
  if (c === 'private' && !allowPrivate) return `resolves to ${address}, a loopback or private address`;
  if (protocol === 'http:' && c !== 'private')
    return 'must use https (http is allowed only to private or loopback addresses when WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)';
  return null;
}

/** Syntax checks on a subscription URL (no DNS). Throws 400. */
export function parseWebhookUrl(raw: string, allowPrivate: boolean, field = 'body/url'): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fieldError(field, 'is not a valid absolute URL');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && allowPrivate)) {
    throw fieldError(
      field,
      allowPrivate
        ? 'must use https or http'
        : 'must use https (http is allowed only to private or loopback receivers when WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)',
    );
  }
  if (u.username || u.password) throw fieldError(field, 'must not contain credentials');
  if (u.hash) throw fieldError(field, 'must not contain a fragment');
  if (!u.hostname) throw fieldError(field, 'must have a host');
  return u;
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, '');

/** Resolves the URL's host and refuses forbidden addresses (all of them must be allowed). */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean, field = 'body/url'): Promise<URL> {
  const u = parseWebhookUrl(raw, allowPrivate, field);
  const host = hostOf(u);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await new Promise<{ address: string }[]>((res, rej) => lookup(host, { all: true }, (e, a) => (e ? rej(e) : res(a))))).map((a) => a.address);
    } catch {
      throw fieldError(field, `host ${host} does not resolve`);
    }
  }
  for (const a of addresses) {
    const why = addressRefusal(a, u.protocol, allowPrivate);
    if (why) throw fieldError(field, why);
  }
  return u;
}

/**
 * A `lookup` for http.request that refuses forbidden addresses at connect time, so the address
 * checked is the address connected to (no DNS-rebinding window between check and connect).
 */
export function safeLookup(protocol: string, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addrs) => {
      if (err) return (callback as (e: Error | null, a: string, f: number) => void)(err, '', 0);
      const list = addrs as unknown as { address: string; family: number }[];
      for (const a of list) {
        const why = addressRefusal(a.address, protocol, allowPrivate);
        if (why) {
          const e = Object.assign(new Error(`webhook URL ${why}`), { code: 'EFORBIDDENADDRESS' });
          return (callback as (e: Error | null, a: string, f: number) => void)(e, '', 0);
        }
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      (callback as (e: Error | null, a: string, f: number) => void)(null, list[0].address, list[0].family);
    });
  };
}
