import { lookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { fieldError } from '../http/problem.js';

/** Loopback and private ranges: allowed over http only with WEBHOOK_ALLOW_PRIVATE_NETWORKS. */
const privateNets = new BlockList();
privateNets.addSubnet('127.0.0.0', 8, 'ipv4');
privateNets.addSubnet('10.0.0.0', 8, 'ipv4');
privateNets.addSubnet('172.16.0.0', 12, 'ipv4');
privateNets.addSubnet('192.168.0.0', 16, 'ipv4');
privateNets.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT
privateNets.addAddress('::1', 'ipv6');
privateNets.addSubnet('fc00::', 7, 'ipv6'); // unique local

/** Never: link-local (incl. cloud metadata 169.254.169.254), unspecified, multicast, reserved. */
const forbiddenNets = new BlockList();
forbiddenNets.addSubnet('0.0.0.0', 8, 'ipv4');
forbiddenNets.addSubnet('169.254.0.0', 16, 'ipv4');
forbiddenNets.addSubnet('224.0.0.0', 4, 'ipv4');
forbiddenNets.addSubnet('240.0.0.0', 4, 'ipv4');
forbiddenNets.addAddress('::', 'ipv6');
forbiddenNets.addSubnet('fe80::', 10, 'ipv6');
forbiddenNets.addSubnet('ff00::', 8, 'ipv6');
forbiddenNets.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

export type AddressClass = 'public' | 'private' | 'forbidden';

export function classifyAddress(address: string): AddressClass {
  let a = address;
  const family = isIP(a);
  if (family === 0) return 'forbidden';
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
    if (mapped) a = mapped[1];
  }
  const type = isIP(a) === 4 ? 'ipv4' : 'ipv6';
  if (forbiddenNets.check(a, type)) return 'forbidden';
  if (privateNets.check(a, type)) return 'private';
  return 'public';
}

/** Whether a resolved address may receive a webhook over `protocol`. Returns the reason if not. */
export function addressRefusal(address: string, protocol: string, allowPrivate: boolean): string | null {
  const c = classifyAddress(address);
  if (c === 'forbidden') return `resolves to ${address}, a link-local, metadata or reserved address`;
  if (c === 'private' && !allowPrivate) return `resolves to ${address}, a loopback or private address`;
  if (protocol === 'http:' && c !== 'private') return 'must use https (http is allowed only to private or loopback addresses when WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)';
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
    throw fieldError(field, allowPrivate ? 'must use https or http' : 'must use https');
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
      addresses = (await new Promise<{ address: string }[]>((res, rej) => lookup(host, { all: true }, (e, a) => (e ? rej(e) : res(a))))).map(
        (a) => a.address,
      );
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
