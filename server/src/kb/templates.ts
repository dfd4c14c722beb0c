// Article templates (FAQ, troubleshooting steps, policy) in both languages; a new article may start from one.
export interface ArticleTemplate {
  key: 'faq' | 'troubleshooting' | 'policy';
  language: 'zh-CN' | 'en';
  name: string;
  body: string;
}

export const templates: readonly ArticleTemplate[] = [
  { key: 'faq', language: 'zh-CN', name: '常见问题', body: '## 问题\n\n（客户的原话）\n\n## 解答\n\n（一两句话的答案）\n\n## 补充说明\n\n' },
  { key: 'faq', language: 'en', name: 'FAQ', body: '## Question\n\n(in the customer’s words)\n\n## Answer\n\n(one or two sentences)\n\n## Notes\n\n' },
  {
    key: 'troubleshooting',
    language: 'zh-CN',
    name: '故障排查步骤',
    body: '## 现象\n\n## 适用范围\n\n## 排查步骤\n\n1. \n2. \n3. \n\n## 仍未解决\n\n转交：\n',
  },
  {
    key: 'troubleshooting',
    language: 'en',
    name: 'Troubleshooting steps',
    body: '## Symptom\n\n## Applies to\n\n## Steps\n\n1. \n2. \n3. \n\n## Still not solved\n\nEscalate to:\n',
  },
  { key: 'policy', language: 'zh-CN', name: '政策规定', body: '## 政策内容\n\n## 生效日期\n\n## 适用对象\n\n## 例外情况\n\n' },
  { key: 'policy', language: 'en', name: 'Policy', body: '## Policy\n\n## Effective from\n\n## Applies to\n\n## Exceptions\n\n' },
];

export const findTemplate = (key: string, language: string): ArticleTemplate | undefined =>
  templates.find((t) => t.key === key && t.language === language) ?? templates.find((t) => t.key === key);
