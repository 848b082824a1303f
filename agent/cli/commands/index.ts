/** The commands of vml-agent, in the order --help lists them (an explicit list, no self-registration). */
import type { CommandDefinition } from '../command.js';
import { backupCommand } from './backup.js';
import { checkCommand } from './check.js';
import { deleteCommand } from './delete.js';
import { diffCommand } from './diff.js';
import { gcCommand } from './gc.js';
import { initCommand } from './init.js';
import { logCommand } from './log.js';
import { loginWarningsCommand } from './login-warnings.js';
import { publishCommand } from './publish.js';
import { restoreCommand } from './restore.js';
import { showCommand } from './show.js';
import { softwareCommand } from './software.js';

export const COMMANDS: readonly CommandDefinition[] = [
  initCommand,
  backupCommand,
  logCommand,
  showCommand,
  diffCommand,
  restoreCommand,
  deleteCommand,
  checkCommand,
  gcCommand,
  softwareCommand,
  publishCommand,
  loginWarningsCommand,
];
