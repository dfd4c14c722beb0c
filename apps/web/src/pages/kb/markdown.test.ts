import { describe, expect, it } from 'vitest';
import { renderMarkdown, snippetText } from './markdown.ts';

describe('the editor preview renderer', () => {
  it('renders headings, lists, emphasis and links, and escapes everything else', () => {
    const html = renderMarkdown('## 排查步骤\n\n1. 重启**光猫**\n2. 看 `LOS` 灯\n\n<script>alert(1)</script> [帮助](https://help.example/a?b=1&c=2)');
    expect(html).toContain('<h3>排查步骤</h3>');
    expect(html).toContain('<ol>\n<li>重启<strong>光猫</strong></li>\n<li>看 <code>LOS</code> 灯</li>\n</ol>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<a href="https://help.example/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">帮助</a>');
  });

  it('refuses script links and resolves the article\'s own files to the API', () => {
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('<a');
    const id = '0f7a7d93-3f1c-4d32-bed7-cf944029b0bf';
    expect(renderMarkdown(`![光猫](attachment:${id})`)).toBe(`<p><img alt="光猫" src="/api/v1/kb/attachments/${id}" style="max-width:100%"></p>`);
  });

  it('turns a highlighted snippet back into plain text for pasting into a reply', () => {
    expect(snippetText('…<mark>宽带</mark>断了 &amp; 光猫 &lt;LOS&gt;…')).toBe('…宽带断了 & 光猫 <LOS>…');
  });
});
