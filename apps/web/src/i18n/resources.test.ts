import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { leafKeys } from './resource-shape.ts';
import { zhCN } from './zh-CN.ts';

describe('translation resources', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(leafKeys(en)).toEqual(leafKeys(zhCN));
  });

  it('no translation is empty in either language', () => {
    const empty = (resource: object) =>
      leafKeys(resource).filter((path) => {
        const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource);
        return typeof value !== 'string' || value.trim() === '';
      });
    expect(empty(zhCN)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });

  it('every interpolation placeholder of zh-CN is also used in en', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const mismatched = leafKeys(zhCN).filter((path) => {
      const read = (resource: object) =>
        path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource) as string;
      return placeholders(read(zhCN)).join() !== placeholders(read(en)).join();
    });
    expect(mismatched).toEqual([]);
  });

  it('the zh-CN resource is written in Chinese', () => {
    expect(zhCN.login.title).toMatch(/[\u4e00-\u9fff]/);
    expect(en.login.title).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
