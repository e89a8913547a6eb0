import { CliError } from './errors.js';

export async function planCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist plan` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
