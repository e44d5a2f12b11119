import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { resolve } from 'node:path';

// `node -r @swc-node/register` finds no root tsconfig.json, so it compiles without the workspace's path aliases;
// map the @as2-partners/* names from tsconfig.base.json the way tsconfig-paths would (only when they do not resolve already).
const workspaceRoot = resolve(__dirname, '..', '..');

function aliasesMissing(): boolean {
  try {
    require.resolve('@as2-partners/as2');
    return false;
  } catch {
    return true;
  }
}

if (aliasesMissing()) {
  const tsconfig = JSON.parse(readFileSync(resolve(workspaceRoot, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  const aliases = new Map(Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(workspaceRoot, target)]));
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
    return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
  };
}
