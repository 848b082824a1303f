#!/usr/bin/env node
/**
 * vml: the host-side CLI. Its commands (disk images, the logbook server) are still to come; until then it
 * says so plainly instead of pretending, and points to the in-guest agent.
 */
import { Command, CommanderError } from 'commander';

const program = new Command('vml')
  .description('VML host tools: whole-disk backups ("vml image") and the logbook server ("vml logbook")')
  .version('0.1.0')
  .addHelpText(
    'after',
    `
Not available yet in this version: "vml image backup|restore|log|convert", "vml logbook serve|user|token".
Environment backups work today with the in-guest agent: see "vml-agent --help".`,
  )
  .exitOverride();

try {
  await program.parseAsync(process.argv);
  if (program.args.length === 0) program.outputHelp();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? 0 : 2;
}
