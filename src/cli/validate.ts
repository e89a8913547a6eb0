import { CliError } from './errors.js';

export async function validateCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist validate` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
