import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  test('defaults give the embedded database on port 8080 with the demo tenant', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBeUndefined();
    expect(config.demo.enabled).toBe(true);
    expect(config.dataDir).toMatch(/data$/);
  });

  test('a wrong value stops startup with a message naming the variable', () => {
    expect(() => loadConfig({ KEFU_HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ KEFU_HTTP_PORT: '99999' })).toThrow(/KEFU_HTTP_PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL=\(hidden\): must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ KEFU_DEMO: 'maybe' })).toThrow(/KEFU_DEMO/);
    expect(() => loadConfig({ KEFU_LOG_LEVEL: 'loud' })).toThrow(/KEFU_LOG_LEVEL/);
    expect(() => loadConfig({ NATS_URL: 'http://x' })).toThrow(/NATS_URL/);
  });

  test('secrets are never echoed in the error', () => {
    try {
      loadConfig({ KEFU_DEMO_PASSWORD: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toMatch(/KEFU_DEMO_PASSWORD=\(hidden\): must be at least 8 characters/);
      expect(String(err)).not.toContain('short"');
    }
  });

  test('every problem is listed, not only the first', () => {
    expect(() => loadConfig({ KEFU_HTTP_PORT: 'x', KEFU_LOG_LEVEL: 'y' })).toThrow(/KEFU_HTTP_PORT[\s\S]*KEFU_LOG_LEVEL/);
  });

  test('trusted proxies are a list of addresses or a keyword', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ KEFU_TRUST_PROXY: 'loopback' }).http.trustProxy).toEqual(['loopback']);
    expect(loadConfig({ KEFU_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ KEFU_TRUST_PROXY: 'everyone' })).toThrow(/KEFU_TRUST_PROXY/);
  });

  test('an empty variable counts as unset', () => {
    expect(loadConfig({ KEFU_HTTP_PORT: '', DATABASE_URL: '' }).http.port).toBe(8080);
  });
});
