// ITU-T E.164 country calling codes, as the table the phone normalizer reads: which codes are one or two digits
// long (every other assigned code has three), and the national significant number lengths of the places a
// Chinese contact center hears from most. Codes not listed with lengths get E.164's general bounds.

/** One-digit country codes (E.164 §6.2.1: zone 1 and zone 7). */
const oneDigit = new Set(['1', '7']);

/** Two-digit country codes assigned by the ITU. */
const twoDigit = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84',
  '86', '90', '91', '92', '93', '94', '95', '98',
]);

/** Three-digit prefixes that are not (or no longer) assigned; a number starting with one is rejected. */
const unassignedThreeDigit = new Set(['210', '214', '215', '217', '219', '259', '280', '281', '282', '283', '284', '285', '286', '287', '288', '289', '292', '293', '294', '295', '296', '297', '384', '422', '424', '425', '426', '427', '428', '429', '671', '684', '693', '694', '695', '696', '697', '698', '699', '801', '802', '803', '804', '805', '806', '807', '809', '851', '854', '857', '858', '859', '871', '872', '873', '874', '875', '876', '877', '879', '884', '885', '887', '889', '890', '891', '892', '893', '894', '895', '896', '897', '898', '899', '969', '978', '990', '997', '999']);

export interface CountryInfo {
  /** ISO 3166-1 alpha-2 region, when the code belongs to one place. */
  region: string | null;
  /** Allowed lengths of the national significant number. */
  nsnLengths: readonly number[] | null;
}

const known: Record<string, CountryInfo> = {
  '1': { region: 'US', nsnLengths: [10] },
  '7': { region: 'RU', nsnLengths: [10] },
  '33': { region: 'FR', nsnLengths: [9] },
  '44': { region: 'GB', nsnLengths: [9, 10] },
  '49': { region: 'DE', nsnLengths: [6, 7, 8, 9, 10, 11, 12, 13] },
  '60': { region: 'MY', nsnLengths: [8, 9, 10] },
  '61': { region: 'AU', nsnLengths: [9] },
  '62': { region: 'ID', nsnLengths: [8, 9, 10, 11, 12] },
  '63': { region: 'PH', nsnLengths: [8, 9, 10] },
  '65': { region: 'SG', nsnLengths: [8] },
  '66': { region: 'TH', nsnLengths: [8, 9] },
  '81': { region: 'JP', nsnLengths: [9, 10] },
  '82': { region: 'KR', nsnLengths: [8, 9, 10] },
  '84': { region: 'VN', nsnLengths: [9, 10] },
  '91': { region: 'IN', nsnLengths: [10] },
  '852': { region: 'HK', nsnLengths: [8] },
  '853': { region: 'MO', nsnLengths: [8] },
  '886': { region: 'TW', nsnLengths: [8, 9] },
};

/** Splits international digits (no leading + or 00) into country code and the rest, or null if unassigned. */
export function splitCountryCode(digits: string): { cc: string; nsn: string } | null {
  const one = digits.slice(0, 1);
  if (oneDigit.has(one)) return { cc: one, nsn: digits.slice(1) };
  const two = digits.slice(0, 2);
  if (twoDigit.has(two)) return { cc: two, nsn: digits.slice(2) };
  const three = digits.slice(0, 3);
  if (three.length < 3 || three.startsWith('0') || unassignedThreeDigit.has(three)) return null;
  // A three-digit prefix whose first two digits form an assigned two-digit code cannot exist (prefix-free plan).
  return { cc: three, nsn: digits.slice(3) };
}

export function countryInfo(cc: string): CountryInfo {
  return known[cc] ?? { region: null, nsnLengths: null };
}
