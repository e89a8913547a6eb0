/** Exit statuses shared by every command (documented in the README's CLI reference). */
export const EXIT = {
  ok: 0,
  cellsFailed: 1,
  usage: 2,
  internal: 70,
  interrupted: 130,
} as const;

/**
 * The only exception the CLI edge expects: a usage or input problem with a code and an exit
 * status. Everything else is a bug and is reported as an internal error without a stack trace
 * (set SHOTLIST_DEBUG=1 to see it).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string = 'E_USAGE',
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
