/**
 * Where a webhook may point: http or https only, no credentials in the URL, and, unless the
 * server allows it (`--webhooks-allow-private`), never at a private, loopback, link-local or
 * otherwise non-public address (server-side request forgery: a tenant must not make the server
 * call its own network, a cloud's metadata service or localhost). A name is checked when it is
 * resolved, on every new connection, against every address it resolves to, so a name that
 * resolves elsewhere later (DNS rebinding) is refused then.
 */
import dns from 'node:dns';
import net from 'node:net';

/** Address ranges no webhook reaches unless private addresses are allowed. */
const NOT_PUBLIC = new net.BlockList();
for (const [a, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(a, bits, 'ipv4');
for (const [a, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(a, bits, 'ipv6');

/** Whether an IP address (v4, or v6 including v4-mapped) is outside the public internet. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 0) return false;
  return NOT_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a URL as an address or name (IPv6 without its brackets). */
function hostOf(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Why a webhook URL is refused, or null when it may be used (its name is checked again when resolved). */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url scheme '${url.protocol.slice(0, -1)}' is not http or https`;
  if (url.username !== '' || url.password !== '') return 'url must not carry credentials (sign with the secret instead)';
  if (url.hash !== '') return 'url must not have a fragment';
  if (!allowPrivate && isPrivateAddress(hostOf(url))) return `url address ${hostOf(url)} is private or loopback (the server does not allow such webhooks)`;
  return null;
}

/** A refusal to connect to a non-public address; the delivery fails with it and is retried. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
}

type LookupCallback = (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http's requests that refuses names resolving to a non-public address
 * (any one of them), so the check holds for the address actually connected to.
 */
export function publicLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new AddressRefusedError(`${hostname} resolves to ${bad.address}, a private or loopback address`), '');
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (first === undefined) return callback(new Error(`${hostname} resolves to no address`), '');
    callback(null, first.address, first.family);
  });
}
