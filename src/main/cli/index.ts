import { describeLocation, TieoutError } from '../../shared/error.js';
import { UsageError, type Command, type Io } from './command.js';
import { demo, info, init } from './workspace-commands.js';
import { importCommand, recordsCommand } from './import-commands.js';
import { matchCommand, resultsCommand, rulesCommand } from './match-commands.js';
import { auditCommand } from './audit-commands.js';
import { fxCommand } from './fx-commands.js';
import { OVERRIDE_COMMANDS } from './override-commands.js';
import { pullCommand } from './pull-commands.js';
import { packetCommand } from './packet-commands.js';

/** Every subcommand; later capabilities add theirs here. */
const COMMANDS: Command[] = [init, info, demo, importCommand, recordsCommand, pullCommand, matchCommand, rulesCommand, resultsCommand, fxCommand, auditCommand, ...OVERRIDE_COMMANDS, packetCommand];

function help(): string {
  return [
    'tieout: reconcile ad buys, invoices, payments and bank lines from the command line.',
    '',
    'Usage:',
    ...COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 error, 2 usage error.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be driven in-process too. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.out : io.err)(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`tieout: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}`);
    return 0;
  }
  try {
    await command.run(rest, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`tieout ${name}: ${err.message}\nUsage: ${command.usage}`);
      return 2;
    }
    const e = TieoutError.from(err);
    const where = describeLocation(e.details);
    io.err(`tieout ${name}: ${e.message}${where && !e.message.includes(where) ? ` (${where})` : ''}`);
    return 1;
  }
}
