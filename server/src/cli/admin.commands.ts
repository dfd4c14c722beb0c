// `kefu tenant create` and `kefu user create`: provisioning from the command line, audited as the system.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { systemActor } from '../platform/auth/actor.ts';
import type { Config } from '../platform/config.ts';
import { generatePassword } from '../platform/crypto/password.ts';
import type { Database } from '../platform/db/database.ts';
import { openDatabase } from '../platform/db/open-database.ts';
import { SecretBox } from '../platform/crypto/secret-box.ts';
import { AppError } from '../platform/errors.ts';
import { email, password } from '../platform/http/schemas.ts';
import { createTenant, TenantsService } from '../platform/tenancy/tenants.service.ts';
import { UsersService } from '../platform/tenancy/users.service.ts';
import { CliError } from './cli-error.ts';
import { withDatabaseUrl } from './database-url.ts';

function check<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`--${option}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

async function withDb<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  return withDatabaseUrl(config, async (url) => {
    const secrets = config.secretKeyHex ? SecretBox.fromHex(config.secretKeyHex) : SecretBox.fromDataDir(config.dataDir);
    const db = await openDatabase(url, secrets, { info: () => {}, warn: (line: string) => console.error(line) }, 2);
    try {
      return await fn(db);
    } catch (err) {
      if (err instanceof AppError) throw new CliError(`${err.field ? `--${err.field}: ` : ''}${err.message}`);
      throw err;
    } finally {
      await db.close();
    }
  });
}

export async function tenantCreateCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, slug: { type: 'string' }, 'admin-email': { type: 'string' }, 'admin-password': { type: 'string' } },
  });
  const name = check(z.string().trim().min(1, 'is required').max(120), values.name, 'name');
  const slug = values.slug === undefined ? undefined : check(z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'must be lowercase letters, digits and -'), values.slug, 'slug');
  const adminEmail = check(email, values['admin-email'], 'admin-email');
  const given = values['admin-password'];
  const adminPassword = given === undefined ? generatePassword() : check(password, given, 'admin-password');
  await withDb(config, (db) =>
    db.withSystem(async (tx) => {
      const { tenant, defaultDivisionId } = await createTenant(tx, { name, ...(slug ? { slug } : {}) });
      await tx.transaction((inner) =>
        UsersService.insert(inner, systemActor(tenant.id), { email: adminEmail, name: 'Administrator', password: adminPassword, roles: ['admin'], divisionIds: [defaultDivisionId] }),
      );
      console.log(`created tenant "${tenant.name}" (slug ${tenant.slug}, id ${tenant.id})`);
      console.log(`admin: ${adminEmail}${given === undefined ? `  password: ${adminPassword}` : ''}`);
    }),
  );
  return 0;
}

export async function userCreateCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      password: { type: 'string' },
    },
  });
  const slug = check(z.string().min(1, 'is required (the tenant slug)'), values.tenant, 'tenant');
  const userEmail = check(email, values.email, 'email');
  const name = check(z.string().trim().min(1, 'is required').max(120), values.name, 'name');
  const roles = values.role?.length ? values.role : ['agent'];
  const given = values.password;
  const userPassword = given === undefined ? generatePassword() : check(password, given, 'password');
  await withDb(config, async (db) => {
    const tenant = await new TenantsService(db).findBySlug(slug);
    if (!tenant) throw new CliError(`--tenant: no tenant with the slug ${slug}`);
    const user = await db.withTenant(tenant.id, async (tx) => {
      const divisions = await tx.execute<{ id: string }>(sql`SELECT id FROM divisions ORDER BY created_at LIMIT 1`);
      return tx.transaction((inner) =>
        UsersService.insert(inner, systemActor(tenant.id), {
          email: userEmail,
          name,
          password: userPassword,
          roles,
          divisionIds: divisions.rows.map((d) => d.id),
        }),
      );
    });
    console.log(`created user ${user.email} (${user.roles.join(', ')}) in tenant ${tenant.slug}${given === undefined ? `  password: ${userPassword}` : ''}`);
  });
  return 0;
}
