/**
 * One login warning and the user it is about. Warnings come from the restore report (what the last restore
 * could not bring back) and from live checks, one file per check. None of them ever holds a secret's value.
 */
import type { Accounts } from '../steps/files/owners.js';

export interface Warning {
  /** restore, proxy, kerberos, mounts, cvmfs or shutdown. */
  readonly check: string;
  readonly subject?: string | undefined;
  readonly message: string;
  /** The command that fixes it. */
  readonly hint?: string | undefined;
}

/** The live checks, by the name `login_warnings.skip` in agent.yaml uses. */
export const CHECKS = ['proxy', 'kerberos', 'mounts', 'cvmfs', 'shutdown'] as const;

/** Whose credentials the checks look at, and where. */
export interface WarningContext {
  readonly root: string;
  readonly accounts: Accounts;
  /** The user the warnings are for: the caller, or for root (the boot service) the entry's owner. */
  readonly user: string;
  readonly uid: number;
  /** True when the warnings are for the user running the command (then `env` is theirs). */
  readonly caller: boolean;
  /** The caller's environment when the warnings are for the caller (X509_USER_PROXY, KRB5CCNAME), else {}. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
}
