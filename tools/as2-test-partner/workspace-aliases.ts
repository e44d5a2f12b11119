import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { resolve } from 'node:path';

// `node -r @swc-node/register` finds no root tsconfig.json, so it compiles without the workspace's path aliases;
// when a name like @as2-partners/as2 does not resolve, retry with its target from tsconfig.base.json.
const workspaceRoot = resolve(__dirname, '..', '..');
const tsconfig = JSON.parse(readFileSync(resolve(workspaceRoot, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
const aliases = new Map(Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(workspaceRoot, target)]));
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
  try {
    return resolveFilename.call(this, request, ...rest);
  } catch (error) {
    const target = aliases.get(request);
    if (!target) throw error;
    return resolveFilename.call(this, target, ...rest);
  }
};
