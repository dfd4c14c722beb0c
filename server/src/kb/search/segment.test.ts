import { describe, expect, test } from 'vitest';
import { normalizeText, queryGroups, segment } from './segment.ts';
import { buildSnippet, markdownToText } from './snippet.ts';
import { compileSynonyms, expandSynonyms } from './synonyms.ts';
import { buildTsquery, buildTsvector, quoteLexeme } from './tsvector.ts';

describe('segment() for indexing', () => {
  const cases: [string, string[], string[]?][] = [
    // [text, lexemes that must be present, lexemes that must be absent]
    ['ORA-01555 快照过旧', ['ora-01555', 'ora', '01555', '快照']],
    ['iPhone15 Pro Max 屏幕碎了', ['iphone15', 'iphone', '15', 'pro', 'max', '屏幕']],
    ['寬頻網路連不上', ['宽带', '网络'], ['寬頻']],
    ['ＡＢＣ－１２３ 全角', ['abc-123', 'abc', '123'], ['ＡＢＣ']],
    ['How do I get my MONEY back?', ['money', 'back'], ['how', 'do', 'my']],
    ['Refunds and deliveries', ['refund', 'delivery'], ['refunds', 'and']],
    ['我的宽带怎么办', ['宽带'], ['的', '怎么办']],
    ['中华人民共和国', ['中华', '华人', '人民', '共和', '共和国', '中华人民共和国']],
    ['型号 HG8245H-V5 光猫', ['hg8245h-v5', 'hg8245h', 'hg', '8245', 'v5', '光猫']],
    ['address status', ['address', 'status']],
  ];
  test.each(cases)('%s', (text, present, absent = []) => {
    const lexemes = segment(text);
    for (const l of present) expect(lexemes, `${text} has ${l}`).toContain(l);
    for (const l of absent) expect(lexemes, `${text} lacks ${l}`).not.toContain(l);
  });

  test('folding is idempotent and turns full-width into half-width, traditional into simplified', () => {
    expect(normalizeText('寬頻ＡＢＣ')).toBe('宽带abc');
    expect(normalizeText(normalizeText('軟體 下載'))).toBe(normalizeText('軟體 下載'));
  });
});

describe('queryGroups()', () => {
  test('a code accepts its whole form or all its parts', () => {
    expect(queryGroups('ora01555')).toEqual([[['ora01555'], ['ora', '01555']]]);
  });
  test('a query of stopwords only keeps them rather than becoming empty', () => {
    expect(queryGroups('how').length).toBe(1);
  });
  test('precise cut for Chinese queries', () => {
    expect(queryGroups('退款多久到账').map((g) => g[0]![0])).toContain('退款');
  });
});

describe('synonyms', () => {
  const sets = compileSynonyms([['宽带', '网络'], ['refund', 'money back']]);
  test('a single word expands to its set', () => {
    expect(expandSynonyms(queryGroups('宽带 故障'), sets)[0]).toEqual([['宽带'], ['网络']]);
  });
  test('a multi-word member is recognised as a run of terms', () => {
    const groups = expandSynonyms(queryGroups('I want my money back'), sets);
    expect(groups).toContainEqual([['refund'], ['money', 'back']]);
    expect(groups.some((g) => g.length === 1 && g[0]![0] === 'money')).toBe(false);
  });
});

describe('tsvector and tsquery literals', () => {
  test('weights title A, tags B, body C, and quotes lexemes', () => {
    const v = buildTsvector({ title: 'Reset password', tags: ['账号'], body: 'reset' });
    expect(v).toContain("'reset':1A,4C");
    expect(v).toContain("'password':2A");
    expect(v).toContain("'账号':3B");
    expect(quoteLexeme("o'b\\c")).toBe("'o''b\\\\c'");
  });
  test('strict joins groups with &, loose with |', () => {
    const groups = [[['a'], ['b', 'c']], [['d']]];
    expect(buildTsquery(groups, 'strict')).toBe("('a' | ('b' & 'c')) & 'd'");
    expect(buildTsquery(groups, 'loose')).toBe("('a' | ('b' & 'c')) | 'd'");
    expect(buildTsquery([], 'loose')).toBeNull();
  });
});

describe('snippets', () => {
  test('marks matches and escapes the rest', () => {
    const html = buildSnippet('Use <b>ORA-01555</b> fix: raise undo_retention', ['ora-01555']);
    expect(html).toContain('<mark>ORA-01555</mark>');
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toContain('<b>');
  });
  test('finds the window with the matches in a long text', () => {
    const text = `${'无关内容。'.repeat(60)}光猫红灯闪烁时请重启光猫。`;
    expect(buildSnippet(text, ['光猫'])).toContain('<mark>光猫</mark>红灯');
  });
  test('markdown becomes plain text', () => {
    expect(markdownToText('# 标题\n\n- **一** [链接](http://x)\n![图](a.png)')).toBe('标题 一 链接 图');
  });
});
