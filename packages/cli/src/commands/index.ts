import Exec from './exec';
import Load from './load';
import Shell from './shell';

/**
 * The openltm commands, listed explicitly so oclif neither globs the directory nor needs a
 * generated manifest. Each command file is thin and loads its heavy parts (parser, store) in run().
 * (`daemon` is added by the data-plane integration.)
 */
export const COMMANDS = {
  exec: Exec,
  load: Load,
  shell: Shell,
};
