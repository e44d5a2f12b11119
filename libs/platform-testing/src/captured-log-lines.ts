/** A log destination (`createEmbeddedTestApp`'s `logDestination`) that keeps every line pino writes, for a spec to read. */
export function capturedLogLines() {
  const lines: string[] = [];
  return {
    lines,
    stream: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((l) => l.length > 0)) },
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
