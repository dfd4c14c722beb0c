// Starts a real Kefu server for a test: its own database, a free loopback port, the demo tenant seeded.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createKefu, type Kefu, type KefuOptions } from '../src/main.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createTestDatabase, TEST_SECRET_KEY } from './database.ts';

export const TEST_PASSWORD = 'test-password-123';

export interface TestKefu {
  kefu: Kefu;
  baseUrl: string;
  adminEmail: string;
  password: string;
  stop(): Promise<void>;
}

export async function startKefu(options: KefuOptions & { env?: Record<string, string> } = {}): Promise<TestKefu> {
  const db = await createTestDatabase();
  await db.database.close(); // Kefu opens its own pool
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-test-data-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    KEFU_HTTP_PORT: '0',
    KEFU_HTTP_HOST: '127.0.0.1',
    KEFU_DATA_DIR: dataDir,
    KEFU_DEMO_PASSWORD: TEST_PASSWORD,
    KEFU_SECRET_KEY: TEST_SECRET_KEY,
    // Tests never take the well-known SIP port: each server gets a free one.
    KEFU_SIP_PORT: '0',
    KEFU_LOG_LEVEL: process.env.KEFU_TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const kefu = await createKefu(config, { logger: createLogger(config.logLevel), ...options }).catch(async (err: unknown) => {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    kefu,
    baseUrl: kefu.url,
    adminEmail: 'admin@demo.kefu',
    password: TEST_PASSWORD,
    async stop() {
      await kefu.stop();
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
