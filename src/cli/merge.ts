import { CliError } from './errors.js';

export async function mergeCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist merge` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
