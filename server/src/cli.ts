// `kefu <command>`: start, migrate, tenant create, user create, backup, restore.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { startCommand } from './cli/start.command.ts';
import { migrateCommand } from './cli/migrate.command.ts';
import { tenantCreateCommand, userCreateCommand } from './cli/admin.commands.ts';
import { backupCommand, restoreCommand } from './cli/backup.commands.ts';
import { CliError } from './cli/cli-error.ts';

const usage = `Kefu (客服) contact center

Usage: kefu <command> [options]

Commands:
  start                                   start Kefu (embedded PostgreSQL unless DATABASE_URL is set)
  migrate                                 apply database migrations and exit
  tenant create --name <name> [--slug <slug>] --admin-email <email> [--admin-password <pw>]
                                          create a tenant with its built-in roles, a Default division and an admin
  user create --tenant <slug> --email <email> --name <name> [--role <key>]... [--password <pw>]
                                          create a user in a tenant (the password is generated when not given)
  backup --out <file>                     write a consistent backup of the database to a file
  restore --in <file>                     restore a backup into an empty database

Configuration comes from the environment; see README.md.`;

interface Command {
  run(config: Config, args: string[]): Promise<number | void>;
}

const commands: Record<string, Command> = {
  start: { run: (config) => startCommand(config) },
  migrate: { run: (config) => migrateCommand(config) },
  'tenant create': { run: (config, args) => tenantCreateCommand(config, args) },
  'user create': { run: (config, args) => userCreateCommand(config, args) },
  backup: { run: (config, args) => backupCommand(config, args) },
  restore: { run: (config, args) => restoreCommand(config, args) },
};

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  if (positionals.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return positionals.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  const two = positionals.slice(0, 2).join(' ');
  const name = commands[two] ? two : positionals[0]!;
  const command = commands[name];
  if (!command) {
    console.error(`kefu: unknown command "${positionals.join(' ')}"\n\n${usage}`);
    return 2;
  }
  const rest = argv.slice(argv.indexOf(name.split(' ').at(-1)!) + 1);
  const config = loadConfig();
  return (await command.run(config, rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof CliError) {
      console.error(`kefu: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error('kefu: failed:', err instanceof Error ? err.message : err);
      process.exitCode = 1;
    }
  },
);
