import { type ParseArgsConfig, parseArgs } from "node:util";

type Spec = Omit<ParseArgsConfig, "args" | "strict" | "tokens">;

/**
 * Every command's arguments, parsed the same way (node's parseArgs, strict): `--help` or `-h` prints
 * the usage and exits 0 before anything is configured or connected; an unknown or malformed
 * argument prints the reason and the usage and exits 2, the shell's "usage error".
 */
export function parseCommandLine<const T extends Spec>(
  usage: string,
  spec: T,
  argv: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<T & { args: string[]; strict: true }>> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ ...spec, args: argv, strict: true });
  } catch (err) {
    return usageError(usage, (err as Error).message);
  }
}

/** Prints why the command line is wrong, then the usage, and exits 2. */
export function usageError(usage: string, reason: string): never {
  process.stderr.write(`${reason}\n\n${usage}\n`);
  process.exit(2);
}

function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}
