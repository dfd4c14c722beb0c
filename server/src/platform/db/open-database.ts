import type { SecretBox } from '../crypto/secret-box.ts';
import type { Logger } from '../logger.ts';
import { APP_ROLE, Database } from './database.ts';
import { migrate } from './migrate.ts';

/**
 * Migrates the database as its owner, then opens the application's pool as the restricted `kefu_app` login
 * role (row-level security applies to it), or as the owner where no such role could be set up.
 */
export async function openDatabase(ownerUrl: string, secrets: SecretBox, logger: Pick<Logger, 'info' | 'warn'>, max?: number): Promise<Database> {
  const migration = await migrate(ownerUrl, (line) => logger.info(line), { appPassword: secrets.derive(`db-password:${APP_ROLE}`) });
  if (migration.superuser && !migration.appRole) {
    logger.warn('the database user is a superuser and no kefu_app role could be set up: row-level security is not enforced');
  }
  return new Database({
    url: migration.appUrl ?? ownerUrl,
    appRole: migration.appUrl ? undefined : migration.appRole,
    ...(max === undefined ? {} : { max }),
  });
}
