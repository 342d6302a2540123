/**
 * Joins shell arguments back into one tmsh line, as BIG-IP's tmsh does with `tmsh create ltm pool
 * p1 ...`: the shell has already removed quotes, so arguments holding spaces, quotes or nothing are
 * quoted again (`description "SMTP pool"`).
 */
export function joinArgs(args: readonly string[]): string {
  return args.map(quoteIfNeeded).join(' ');
}

function quoteIfNeeded(arg: string): string {
  if (arg !== '' && !/[\s"\\;#]/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}
