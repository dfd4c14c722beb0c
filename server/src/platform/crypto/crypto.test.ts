import { describe, expect, test } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import { SecretBox } from './secret-box.ts';
import { signWebhook, verifyWebhookSignature } from '../webhooks/signature.ts';

describe('passwords', () => {
  test('a hash verifies its password and no other, and two hashes of one password differ', async () => {
    const hash = await hashPassword('正确的密码 correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('正确的密码 correct horse', hash)).toBe(true);
    expect(await verifyPassword('正确的密码 correct hors', hash)).toBe(false);
    expect(await hashPassword('x')).not.toBe(await hashPassword('x'));
  });

  test('a malformed stored hash never verifies', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  test('generated passwords are 16 unambiguous characters', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
  });
});

describe('secret box', () => {
  test('seals and opens, and a tampered secret does not open', () => {
    const box = SecretBox.fromHex('11'.repeat(32));
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => SecretBox.fromHex('22'.repeat(32)).open(sealed)).toThrow();
  });
});

describe('webhook signatures', () => {
  test('match a reference HMAC-SHA256 over timestamp.body', () => {
    // Reference: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook('whsec_test', '{"a":1}', 1_700_000_000)).toBe(
      't=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    );
  });

  test('old timestamps are rejected as replays', () => {
    const header = signWebhook('s', 'body', 1000);
    expect(verifyWebhookSignature('s', 'body', header, 1100)).toBe(true);
    expect(verifyWebhookSignature('s', 'body', header, 1000 + 301)).toBe(false);
    expect(verifyWebhookSignature('s', 'body', 'garbage', 1000)).toBe(false);
  });
});
