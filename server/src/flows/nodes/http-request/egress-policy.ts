// The tenant's HTTP allow-list: the internal destinations (a CRM on the customer's LAN) that the HTTP node may
// reach although the SSRF guard refuses non-public addresses by default. Entries are host names (exact, or
// `*.corp.example` for its subdomains) and CIDRs or single addresses (`10.20.0.0/16`, `fd00:1::/64`, `10.0.0.5`).
// A host entry allows whatever that name resolves to; a CIDR allows the addresses inside it, whatever the name.
import { classifyAddress, inCidr, parseCidr, parseIp, type AddressClass, type Cidr } from './address-class.ts';

export const MAX_ALLOW_ENTRIES = 100;

export interface AllowList {
  hosts: string[];
  cidrs: Cidr[];
}

export const emptyAllowList: AllowList = { hosts: [], cidrs: [] };

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** An address or CIDR rather than a host name: has a slash or a colon, or is all digits and dots. */
const looksLikeAddress = (e: string) => e.includes('/') || e.includes(':') || /^[\d.]+$/.test(e);

/** Why an entry is not acceptable (for the API's 400 naming `entries.N`), or undefined when it is. */
export function allowEntryProblem(entry: string): string | undefined {
  const e = entry.trim().toLowerCase();
  if (!e) return 'must not be empty';
  if (e.length > 253) return 'is too long';
  if (looksLikeAddress(e)) {
    const cidr = parseCidr(e);
    if (!cidr) return 'must be a host name, an IP address or a CIDR such as 10.20.0.0/16';
    if (cidr.prefix === 0) return 'would allow every address; name the networks of your systems';
    return undefined;
  }
  if (!HOST.test(e)) return 'must be a host name (crm.corp.example or *.corp.example), an IP address or a CIDR';
  return undefined;
}

/** Normalizes entries the API accepted (lower case, trimmed) into a list the guard checks. */
export function compileAllowList(entries: readonly string[]): AllowList {
  const list: AllowList = { hosts: [], cidrs: [] };
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    if (allowEntryProblem(e) !== undefined) continue;
    if (looksLikeAddress(e)) list.cidrs.push(parseCidr(e)!);
    else list.hosts.push(e);
  }
  return list;
}

const normalHost = (host: string) => host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');

/** Whether the allow-list names this host (exactly or by a `*.` suffix). */
export function hostAllowed(list: AllowList, host: string): boolean {
  const h = normalHost(host);
  return list.hosts.some((e) => (e.startsWith('*.') ? h.endsWith(e.slice(1)) && h.length > e.length - 1 : h === e));
}

export type Verdict = { allowed: true } | { allowed: false; class: AddressClass };

/** Public addresses always pass; a non-public one passes only when the host or a CIDR of the list allows it. */
export function judge(list: AllowList, host: string, address: string): Verdict {
  const ip = parseIp(address);
  const cls = ip ? classifyAddress(ip) : 'reserved';
  if (cls === undefined) return { allowed: true };
  if (hostAllowed(list, host)) return { allowed: true };
  if (ip && list.cidrs.some((c) => inCidr(ip, c))) return { allowed: true };
  return { allowed: false, class: cls };
}
