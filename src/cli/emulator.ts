import { CliError } from './errors.js';

export async function emulatorCommand(_argv: string[]): Promise<number> {
  throw new CliError('`shotlist emulator` is not implemented yet', 'E_NOT_IMPLEMENTED');
}
