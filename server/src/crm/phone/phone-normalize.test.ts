import { describe, expect, test } from 'vitest';
import { formatNational, normalizePhone, phoneIdentityValue, type PhoneKind } from './phone-normalize.ts';

// [input, e164, kind, extension]
const valid: [string, string, PhoneKind, string | null][] = [
  // Mobiles in the shapes people type and systems export
  ['13800138000', '+8613800138000', 'mobile', null],
  ['138 0013 8000', '+8613800138000', 'mobile', null],
  ['138-0013-8000', '+8613800138000', 'mobile', null],
  ['+86 138 0013 8000', '+8613800138000', 'mobile', null],
  ['+86-13800138000', '+8613800138000', 'mobile', null],
  ['(+86) 138 0013 8000', '+8613800138000', 'mobile', null],
  ['0086 13800138000', '+8613800138000', 'mobile', null],
  ['008613800138000', '+8613800138000', 'mobile', null],
  ['8613800138000', '+8613800138000', 'mobile', null],
  ['013800138000', '+8613800138000', 'mobile', null],
  ['1795113800138000', '+8613800138000', 'mobile', null],
  ['12593 13800138000', '+8613800138000', 'mobile', null],
  ['tel:+8613912345678', '+8613912345678', 'mobile', null],
  ['19912345678', '+8619912345678', 'mobile', null],
  ['16612345678', '+8616612345678', 'mobile', null],
  ['14712345678', '+8614712345678', 'mobile', null],
  ['１３８００１３８０００', '+8613800138000', 'mobile', null],
  ['＋８６　１３８－００１３－８０００', '+8613800138000', 'mobile', null],
  ['138.0013.8000', '+8613800138000', 'mobile', null],
  ['138—0013—8000', '+8613800138000', 'mobile', null],
  // Landlines: two-digit area codes (Beijing, Shanghai, Guangzhou, Chongqing, Wuhan, Chengdu, Xi'an)
  ['010-62345678', '+861062345678', 'landline', null],
  ['(010) 8888 6666', '+861088886666', 'landline', null],
  ['01088886666', '+861088886666', 'landline', null],
  ['1088886666', '+861088886666', 'landline', null],
  ['021-62345678', '+862162345678', 'landline', null],
  ['020 8765 4321', '+862087654321', 'landline', null],
  ['023-63001234', '+862363001234', 'landline', null],
  ['027-85001234', '+862785001234', 'landline', null],
  ['028 8600 1234', '+862886001234', 'landline', null],
  ['029-88001234', '+862988001234', 'landline', null],
  ['+86 10 8888 6666', '+861088886666', 'landline', null],
  ['+86 (0)10 8888 6666', '+861088886666', 'landline', null],
  ['0086-21-62345678', '+862162345678', 'landline', null],
  ['86-21-62345678', '+862162345678', 'landline', null],
  ['862162345678', '+862162345678', 'landline', null],
  ['17951 010 88886666', '+861088886666', 'landline', null],
  // Landlines: three-digit area codes with 8- and 7-digit subscriber numbers
  ['0755-86001234', '+8675586001234', 'landline', null],
  ['075586001234', '+8675586001234', 'landline', null],
  ['0571 8700 1234', '+8657187001234', 'landline', null],
  ['0371-6600123', '+863716600123', 'landline', null],
  ['0898-66001234', '+8689866001234', 'landline', null],
  ['0851-85001234', '+8685185001234', 'landline', null],
  ['０７５５－８６００１２３４', '+8675586001234', 'landline', null],
  ['（０１０）８８８８６６６６', '+861088886666', 'landline', null],
  // Extensions
  ['010-88886666-801', '+861088886666', 'landline', '801'],
  ['010-88886666转801', '+861088886666', 'landline', '801'],
  ['010-88886666 转 801', '+861088886666', 'landline', '801'],
  ['010 8888 6666 分机 8012', '+861088886666', 'landline', '8012'],
  ['0755-86001234 ext. 12', '+8675586001234', 'landline', '12'],
  ['0755-86001234 x12', '+8675586001234', 'landline', '12'],
  ['0755-86001234#12', '+8675586001234', 'landline', '12'],
  ['+861088886666;ext=801', '+861088886666', 'landline', '801'],
  ['400-800-1234 转 2', '+864008001234', 'service', '2'],
  ['0755-2345678-12', '+867552345678', 'landline', '12'],
  ['０１０－８８８８６６６６－８０１', '+861088886666', 'landline', '801'],
  // 400 and 800 service numbers
  ['400-800-1234', '+864008001234', 'service', null],
  ['4008001234', '+864008001234', 'service', null],
  ['400 6666 888', '+864006666888', 'service', null],
  ['800-810-8888', '+868008108888', 'service', null],
  ['+86 400 800 1234', '+864008001234', 'service', null],
  ['0086 800 810 8888', '+868008108888', 'service', null],
  // International
  ['+1 415 555 2671', '+14155552671', 'international', null],
  ['+1 (415) 555-2671 ext 9', '+14155552671', 'international', '9'],
  ['001 415 555 2671', '+14155552671', 'international', null],
  ['+44 20 7946 0958', '+442079460958', 'international', null],
  ['+44 (0)20 7946 0958', '+442079460958', 'international', null],
  ['0044 7911 123456', '+447911123456', 'international', null],
  ['+852 2345 6789', '+85223456789', 'international', null],
  ['00852-9123-4567', '+85291234567', 'international', null],
  ['+853 6612 3456', '+85366123456', 'international', null],
  ['+886 2 2345 6789', '+886223456789', 'international', null],
  ['+886 912 345 678', '+886912345678', 'international', null],
  ['+81 3-1234-5678', '+81312345678', 'international', null],
  ['+82 2 312 3456', '+8223123456', 'international', null],
  ['+65 6123 4567', '+6561234567', 'international', null],
  ['+60 12-345 6789', '+60123456789', 'international', null],
  ['+49 30 123456', '+4930123456', 'international', null],
  ['+39 06 6982 1234', '+390669821234', 'international', null],
  ['+7 495 123 4567', '+74951234567', 'international', null],
  ['+61 2 9876 5432', '+61298765432', 'international', null],
  ['+971 4 123 4567', '+97141234567', 'international', null],
  ['+234 803 123 4567', '+2348031234567', 'international', null],
  ['＋４４　２０　７９４６　０９５８', '+442079460958', 'international', null],
];

const invalid: [string, string][] = [
  ['', 'empty'],
  ['   ', 'empty'],
  ['12345', 'not a valid Chinese number'],
  ['1380013800', 'not a valid Chinese number'],
  ['138001380001', 'not a valid Chinese number'],
  ['12800138000', 'not a valid Chinese number'],
  ['010-1234567', 'not a valid Chinese number'],
  ['010-02345678', 'not a valid Chinese number'],
  ['0755-123456', 'not a valid Chinese number'],
  ['400-800-123', 'not a valid Chinese number'],
  ['88886666', 'a local number needs its area code'],
  ['abc', 'contains characters that are not digits'],
  ['138 0013 800O', 'contains characters that are not digits'],
  ['+1 415 555 267', 'wrong length for country code +1'],
  ['+852 2345 678', 'wrong length for country code +852'],
  ['+86 12345', 'not a valid Chinese number'],
  ['+999 1234 5678', 'unknown country code'],
  ['+0 1234 5678', 'unknown country code'],
  ['+380 12345678901234', 'longer than E.164 allows (15 digits)'],
];

describe('phone normalization to E.164', () => {
  test.each(valid)('%s is %s (%s, extension %s)', (input, e164, kind, extension) => {
    const result = normalizePhone(input);
    expect(result).toMatchObject({ ok: true, e164, kind, extension });
  });

  test.each(invalid)('%j is rejected: %s', (input, reason) => {
    expect(normalizePhone(input)).toEqual({ ok: false, reason });
  });

  test('a local number takes the configured default area code', () => {
    expect(normalizePhone('8888 6666', { defaultAreaCode: '10' })).toMatchObject({ ok: true, e164: '+861088886666', areaCode: '10' });
    expect(normalizePhone('6600123', { defaultAreaCode: '371' })).toMatchObject({ ok: true, e164: '+863716600123', areaCode: '371' });
  });

  test('landlines report their area code and Chinese numbers their region', () => {
    expect(normalizePhone('0755-86001234')).toMatchObject({ areaCode: '755', region: 'CN' });
    expect(normalizePhone('+852 2345 6789')).toMatchObject({ region: 'HK', areaCode: null });
  });

  test('the identity value carries the extension in RFC 3966 form', () => {
    const phone = normalizePhone('010-88886666 转 801');
    if (!phone.ok) throw new Error(phone.reason);
    expect(phoneIdentityValue(phone)).toBe('+861088886666;ext=801');
    const plain = normalizePhone('13800138000');
    if (!plain.ok) throw new Error(plain.reason);
    expect(phoneIdentityValue(plain)).toBe('+8613800138000');
  });

  test.each([
    ['13800138000', '138 0013 8000'],
    ['010-88886666', '010 8888 6666'],
    ['0371-6600123', '0371 660 0123'],
    ['4008001234', '400 800 1234'],
    ['010-88886666-801', '010 8888 6666 转 801'],
    ['+1 415 555 2671', '+14155552671'],
  ])('%s is written at home as %s', (input, expected) => {
    const phone = normalizePhone(input);
    if (!phone.ok) throw new Error(phone.reason);
    expect(formatNational(phone)).toBe(expected);
  });

  test('normalizing a normalized number changes nothing', () => {
    for (const [, e164] of valid) expect(normalizePhone(e164)).toMatchObject({ ok: true, e164 });
  });
});
