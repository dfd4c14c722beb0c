import { describe, expect, test } from 'vitest';
import { diffLines } from './diff.ts';
import { renderMarkdown } from '@kefu/contracts';
import { PublicRateLimit } from './help.routes.ts';

describe('renderMarkdown()', () => {
  test('renders headings, lists, emphasis and links', () => {
    const html = renderMarkdown('# 标题\n\n1. 第一步\n2. **重启**光猫\n\n- [帮助](https://example.com/help)\n\n普通段落');
    expect(html).toContain('<h2>标题</h2>');
    expect(html).toContain('<ol>\n<li>第一步</li>\n<li><strong>重启</strong>光猫</li>\n</ol>');
    expect(html).toContain('<a href="https://example.com/help" rel="nofollow">帮助</a>');
    expect(html).toContain('<p>普通段落</p>');
  });

  test('never lets HTML or script URLs through', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) "quoted"');
    expect(html).not.toMatch(/<img|javascript:[^<]*<\/a>|href="javascript/);
    expect(html).toContain('&lt;img');
    expect(html).toContain('&quot;quoted&quot;');
  });
});

describe('diffLines()', () => {
  test('keeps common lines and marks removed and added ones', () => {
    expect(diffLines('a\nb\nc', 'a\nc\nd')).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'remove', text: 'b' },
      { op: 'equal', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
  });
  test('identical texts are all equal', () => {
    expect(diffLines('x\ny', 'x\ny').every((l) => l.op === 'equal')).toBe(true);
  });
});

describe('PublicRateLimit', () => {
  test('refuses the request over the limit within a minute and allows again in the next one', () => {
    let now = 0;
    const limit = new PublicRateLimit(2, () => now);
    limit.check('1.2.3.4');
    limit.check('1.2.3.4');
    expect(() => limit.check('1.2.3.4')).toThrow(/too many/);
    limit.check('5.6.7.8');
    now = 60_000;
    expect(() => limit.check('1.2.3.4')).not.toThrow();
  });
});
