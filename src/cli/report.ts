import { CliError } from './errors.js';

export async function reportCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist report` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
