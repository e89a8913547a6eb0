import { CliError } from './errors.js';

export async function runCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist run` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
