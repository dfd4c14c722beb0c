// The SSRF guard's address classifier and the tenant allow-list: which addresses count as internal, the IPv6
// forms that carry an IPv4 address, CIDR matching, and which allow-list entries the admin console accepts.
import { describe, expect, test } from 'vitest';
import { classifyAddress, inCidr, parseCidr, parseIp } from './address-class.ts';
import { allowEntryProblem, compileAllowList, judge } from './egress-policy.ts';

describe('address classifier', () => {
  test.each([
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'], ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link_local'], ['169.254.0.1', 'link_local'], ['fe80::1', 'link_local'], ['fe80::1%eth0', 'link_local'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'],
    ['fc00::1', 'unique_local'], ['fd12:3456::1', 'unique_local'], ['fec0::1', 'site_local'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  test.each([
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:10.1.2.3', 'private'], ['::ffff:169.254.169.254', 'link_local'], ['::ffff:100.64.1.1', 'cgnat'],
    ['::127.0.0.1', 'loopback'], ['64:ff9b::a9fe:a9fe', 'link_local'], ['2002:7f00:1::1', 'loopback'], ['2002:c0a8:101::1', 'private'],
  ])('the IPv4 address inside %s is judged: %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  test.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1', '169.253.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2002:808:808::1'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });

  test('what is not an address is never public', () => {
    expect(classifyAddress('localhost')).toBe('reserved');
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });

  test('CIDRs match by prefix; IPv4 CIDRs match IPv4-mapped addresses', () => {
    const net = parseCidr('10.20.0.0/16')!;
    expect(inCidr(parseIp('10.20.30.40')!, net)).toBe(true);
    expect(inCidr(parseIp('10.21.0.1')!, net)).toBe(false);
    expect(inCidr(parseIp('::ffff:10.20.0.9')!, net)).toBe(true);
    expect(inCidr(parseIp('fd00:1::5')!, parseCidr('fd00:1::/32')!)).toBe(true);
    expect(inCidr(parseIp('fd00:2::5')!, parseCidr('fd00:1::/32')!)).toBe(false);
    expect(inCidr(parseIp('10.0.0.5')!, parseCidr('10.0.0.5')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/8/1')).toBeUndefined();
  });
});

describe('tenant allow-list', () => {
  test('accepts host names, wildcard subdomains, addresses and CIDRs; refuses the rest with a reason', () => {
    for (const ok of ['crm.corp.example', '*.corp.example', 'CRM.Corp.Example', '10.20.0.0/16', '10.0.0.5', 'fd00:1::/64', '::1']) expect(allowEntryProblem(ok), ok).toBeUndefined();
    expect(allowEntryProblem('')).toBe('must not be empty');
    expect(allowEntryProblem('0.0.0.0/0')).toContain('every address');
    expect(allowEntryProblem('::/0')).toContain('every address');
    expect(allowEntryProblem('10.0.0.0/40')).toContain('CIDR');
    expect(allowEntryProblem('http://crm.example/')).toBeDefined();
    expect(allowEntryProblem('crm_1.example')).toContain('host name');
    expect(allowEntryProblem('*.')).toBeDefined();
  });

  test('public addresses always pass; internal ones only by host name or CIDR', () => {
    const list = compileAllowList(['crm.corp.example', '*.lan.example', '10.20.0.0/16']);
    expect(judge(list, 'api.example', '93.184.216.34')).toEqual({ allowed: true });
    expect(judge(list, 'crm.corp.example', '192.168.1.9')).toEqual({ allowed: true });
    expect(judge(list, 'a.b.lan.example', '192.168.1.9')).toEqual({ allowed: true });
    expect(judge(list, 'lan.example', '192.168.1.9')).toEqual({ allowed: false, class: 'private' });
    expect(judge(list, 'other.example', '10.20.5.5')).toEqual({ allowed: true });
    expect(judge(list, 'other.example', '10.21.5.5')).toEqual({ allowed: false, class: 'private' });
    expect(judge(list, 'other.example', '::ffff:10.20.5.5')).toEqual({ allowed: true });
    expect(judge(compileAllowList([]), 'metadata', '169.254.169.254')).toEqual({ allowed: false, class: 'link_local' });
  });
});
