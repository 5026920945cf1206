/**
 * What to show when a service exits while starting: a JVM that fails logs the cause early and its
 * shutdown hooks afterwards (Cassandra drains and flushes for dozens of lines), so the last lines
 * alone hide it. Only this start's part of the log is read; the cause lines come first, then the end.
 */
const errorLevel = /\b(ERROR|FATAL|SEVERE)\b/;
const otherLevel = /\b(TRACE|DEBUG|INFO|WARN|WARNING)\b/;
const thrown = /Exception|Error\b|Caused by:/;

// The first line logged at error level; failing that, the first exception printed bare (a JVM that
// dies before its logger is up). Stack traces under an INFO or WARN line, such as a refused
// connection to a peer that is still starting, are not the cause.
function causeAt(lines: string[]): number {
  const logged = lines.findIndex((l) => errorLevel.test(l));
  return logged !== -1 ? logged : lines.findIndex((l) => !otherLevel.test(l) && thrown.test(l));
}

export function startFailure(logSinceStart: string, causeLines = 12, lastLines = 6): string {
  const lines = logSinceStart.trimEnd().split("\n");
  if (lines.length === 1 && lines[0] === "") return "(nothing logged by this start)";
  const first = causeAt(lines);
  const end = lines.slice(-lastLines);
  if (first === -1) return end.join("\n");
  const why = lines.slice(first, first + causeLines);
  const endStart = Math.max(lines.length - lastLines, first + causeLines);
  const rest = lines.slice(endStart);
  if (rest.length === 0) return why.join("\n");
  const skipped = endStart - (first + causeLines);
  return [...why, ...(skipped > 0 ? [`… (${skipped} lines)`] : []), ...rest].join("\n");
}
