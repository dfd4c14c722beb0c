// The demo tenant seeded on the first start (skipped with KEFU_DEMO=0): "Demo 演示" with division "Default",
// an admin, a supervisor and three agents. The password is KEFU_DEMO_PASSWORD, or generated, printed once and
// kept in $KEFU_DATA_DIR/demo-credentials.txt (mode 600).
import fs from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../auth/actor.ts';
import { generatePassword } from '../crypto/password.ts';
import type { Database } from '../db/database.ts';
import { createTenant } from '../tenancy/tenants.service.ts';
import { UsersService } from '../tenancy/users.service.ts';
import type { DemoTenant } from '../../module.ts';

export const DEMO_TENANT_SLUG = 'demo';

export const demoUsers = [
  { email: 'admin@demo.kefu', name: '管理员 Admin', roles: ['admin'] },
  { email: 'supervisor@demo.kefu', name: '主管 Supervisor', roles: ['supervisor'] },
  { email: 'agent1@demo.kefu', name: '坐席一 Agent 1', roles: ['agent'] },
  { email: 'agent2@demo.kefu', name: '坐席二 Agent 2', roles: ['agent'] },
  { email: 'agent3@demo.kefu', name: '坐席三 Agent 3', roles: ['agent'] },
] as const;

export interface DemoSeedResult {
  tenantId: string;
  tenant: DemoTenant;
  password: string;
  generated: boolean;
  credentialsFile: string | undefined;
}

export async function seedDemo(database: Database, options: { password: string | undefined; dataDir: string | undefined }): Promise<DemoSeedResult> {
  const generated = options.password === undefined;
  const password = options.password ?? generatePassword();
  const tenant = await database.withSystem(async (tx): Promise<DemoTenant> => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Demo 演示', slug: DEMO_TENANT_SLUG });
    const actor = systemActor(tenant.id);
    const userIds: Record<string, string> = {};
    for (const user of demoUsers) {
      const created = await UsersService.insert(tx, actor, { ...user, roles: [...user.roles], password, divisionIds: [defaultDivisionId] });
      userIds[created.email] = created.id;
    }
    return { tenantId: tenant.id, defaultDivisionId, userIds, logins: demoUsers.map((u) => u.email) };
  });
  const credentialsFile = generated && options.dataDir ? path.join(options.dataDir, 'demo-credentials.txt') : undefined;
  return { tenantId: tenant.tenantId, tenant, password, generated, credentialsFile };
}

/** Keeps a generated password beside the data, once every module's seed has added its logins. */
export async function writeDemoCredentials(demo: DemoSeedResult): Promise<void> {
  if (!demo.credentialsFile) return;
  const lines = ['Kefu demo tenant "Demo 演示" — logins', ...demo.tenant.logins.map((email) => `${email}\t${demo.password}`), ''];
  await fs.writeFile(demo.credentialsFile, lines.join('\n'), { mode: 0o600 });
  await fs.chmod(demo.credentialsFile, 0o600);
}

/** The logins kept in a credentials file written by an earlier first start. */
export function loginsIn(credentialsText: string): string[] {
  return credentialsText.split('\n').slice(1).map((line) => line.split('\t')[0]!).filter((email) => email.includes('@'));
}
