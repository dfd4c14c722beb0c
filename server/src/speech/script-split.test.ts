import { describe, expect, test } from 'vitest';
import { splitByScript } from './script-split.ts';

describe('splitByScript', () => {
  test('splits a mixed Chinese and English prompt into runs of one script', () => {
    expect(splitByScript('欢迎致电Kefu演示中心。销售请按1，技术支持请按2')).toEqual([
      { script: 'han', text: '欢迎致电' },
      { script: 'latin', text: 'Kefu' },
      { script: 'han', text: '演示中心。销售请按1，技术支持请按2' },
    ]);
  });

  test('keeps digits and punctuation with the run they are in', () => {
    expect(splitByScript('Press 1 for sales, 2 for support.')).toEqual([{ script: 'latin', text: 'Press 1 for sales, 2 for support.' }]);
  });

  test('drops runs of punctuation only', () => {
    expect(splitByScript(' / ')).toEqual([]);
  });
});
