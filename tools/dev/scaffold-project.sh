#!/usr/bin/env bash
# Creates an Nx project skeleton: tools/dev/scaffold-project.sh <dir> <name> <kind: lib|app> <tags,comma,separated>
set -euo pipefail
dir=$1; name=$2; kind=$3; tags=$4
up=$(echo "$dir" | sed -E 's#[^/]+#..#g')
mkdir -p "$dir/src"
tagjson=$(echo "$tags" | sed -E 's/([^,]+)/"\1"/g')
if [ "$kind" = app ]; then
  build='"build": { "executor": "nx:run-commands", "outputs": ["{workspaceRoot}/dist/apps/'"$name"'"], "options": { "commands": ["tsc -p '"$dir"'/tsconfig.app.json", "tsc-alias -p '"$dir"'/tsconfig.app.json"], "parallel": false } },'
  cat > "$dir/tsconfig.app.json" <<EOT
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$up/dist/apps/$name", "rootDir": "$up", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
EOT
else
  build='"build": { "executor": "nx:run-commands", "options": { "command": "tsc -p '"$dir"'/tsconfig.lib.json --noEmit" } },'
  cat > "$dir/tsconfig.lib.json" <<EOT
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$up/dist/out-tsc", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
EOT
fi
cat > "$dir/project.json" <<EOT
{
  "name": "$name",
  "\$schema": "$up/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([ "$kind" = app ] && echo application || echo library)",
  "tags": [$tagjson],
  "targets": {
    $build
    "test": { "executor": "@nx/jest:jest", "outputs": ["{workspaceRoot}/coverage/{projectRoot}"], "options": { "jestConfig": "$dir/jest.config.js", "passWithNoTests": true } },
    "lint": { "executor": "@nx/eslint:lint" }
  }
}
EOT
cat > "$dir/tsconfig.json" <<EOT
{
  "extends": "$up/tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.$([ "$kind" = app ] && echo app || echo lib).json" }, { "path": "./tsconfig.spec.json" }]
}
EOT
cat > "$dir/tsconfig.spec.json" <<EOT
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$up/dist/out-tsc", "types": ["jest", "node"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
EOT
cat > "$dir/jest.config.js" <<EOT
module.exports = {
  displayName: '$name',
  preset: '$up/jest.preset.js',
  rootDir: '.',
};
EOT
cat > "$dir/eslint.config.mjs" <<EOT
import baseConfig from '$up/eslint.config.mjs';

export default [...baseConfig];
EOT
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
