import { describe, expect, test } from 'vitest';
import { maskEmail, maskIdentity, maskPhone } from './masking.ts';
import { normalizeIdentity } from './identities.ts';

describe('masking', () => {
  test.each([
    ['+8613800138000', '+86138****8000'],
    ['+861088886666', '+86108***6666'],
    ['+861088886666;ext=801', '+86108***6666;ext=801'],
    ['+867552345678', '+86755***5678'],
    ['+14155552671', '+1415***2671'],
    ['+85223456789', '+85223**6789'],
  ])('phone %s is shown as %s', (value, masked) => expect(maskPhone(value)).toBe(masked));

  test.each([
    ['wang.xiaoming@example.com', 'w***g@example.com'],
    ['li@qq.com', 'l*@qq.com'],
    ['a@b.cn', 'a*@b.cn'],
  ])('email %s is shown as %s', (value, masked) => expect(maskEmail(value)).toBe(masked));

  test('other identity kinds are not masked', () => expect(maskIdentity('wechat_openid', 'oABC123')).toBe('oABC123'));
});

describe('identity normalization', () => {
  test('phones become E.164 and match without their extension', () => {
    expect(normalizeIdentity('phone', '010-8888 6666 转 801')).toEqual({ ok: true, identity: { kind: 'phone', value: '+861088886666;ext=801', matchKey: '+861088886666' } });
  });
  test('emails are lower-cased and match without a +tag', () => {
    expect(normalizeIdentity('email', ' Wang.XM+shop@Example.COM ')).toEqual({ ok: true, identity: { kind: 'email', value: 'wang.xm+shop@example.com', matchKey: 'wang.xm@example.com' } });
  });
  test('a bad email or phone is refused with a reason', () => {
    expect(normalizeIdentity('email', 'not-an-email')).toEqual({ ok: false, reason: 'is not an email address' });
    expect(normalizeIdentity('phone', '12345')).toMatchObject({ ok: false });
    expect(normalizeIdentity('visitor', '  ')).toEqual({ ok: false, reason: 'must not be empty' });
  });
  test('full-width WeChat ids are folded to ASCII', () => {
    expect(normalizeIdentity('wechat_openid', 'ｏＡＢＣ１２３')).toMatchObject({ ok: true, identity: { value: 'oABC123' } });
  });
});
