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
  ['::', 96], // unspecified, loopback, and the deprecated IPv4-compatible addresses
  ['::ffff:0:0:0', 96], // IPv4-translated
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['fc00::', 7], // unique local
  ['fec0::', 10], // site-local (deprecated)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(a, bits, 'ipv6');

/** NAT64 prefixes: the last 32 bits are an IPv4 address, reached through the translator. */
const NAT64 = new net.BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');
NAT64.addSubnet('64:ff9b:1::', 48, 'ipv6');

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIpv4(ip: string): string {
  const full = new net.SocketAddress({ address: ip, family: 'ipv6' }).address;
  const groups = full.includes('.') ? null : full.split(':');
  if (groups === null) return full.slice(full.lastIndexOf(':') + 1);
  // Expand "::" to the missing zero groups, then read the last two.
  const at = groups.indexOf('');
  const expanded =
    at < 0 ? groups : [...groups.slice(0, at), ...Array(8 - groups.filter((g) => g !== '').length).fill('0'), ...groups.slice(at).filter((g) => g !== '')];
  const hi = Number.parseInt(expanded[6] || '0', 16);
  const lo = Number.parseInt(expanded[7] || '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address (v4, or v6 including v4-mapped and NAT64) is outside the public internet. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 0) return false;
  if (family === 4) return NOT_PUBLIC.check(ip, 'ipv4');
  if (NAT64.check(ip, 'ipv6')) return NOT_PUBLIC.check(lastIpv4(ip), 'ipv4');
  return NOT_PUBLIC.check(ip, 'ipv6');
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
    // Which address, the tenant is not told: it would map the server's own network.
    if (bad) return callback(new AddressRefusedError(`${hostname} resolves to a private or loopback address`), '');
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (first === undefined) return callback(new Error(`${hostname} resolves to no address`), '');
    callback(null, first.address, first.family);
  });
}
