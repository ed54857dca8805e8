// `npm run build`: the bundles `sam build` makes, without the SAM CLI. The settings are the template's own
// (each function's Metadata.BuildProperties), passed to esbuild as the SAM CLI's esbuild workflow passes
// them (sam-esbuild.mjs), so there is one set of build settings, not two to keep in step.
// Output: dist/<function>/handler.mjs, the layout the template's Handler (handler.handler) expects, beside
// any bundle the handler imports at run time (dist/post-processor/lazy/*.mjs).
import { rmSync } from 'node:fs';
import { writeConfigsModule } from './hooks/configs/bundle.mjs';
import { writeSqlModule } from './hooks/sql/bundle.mjs';
import { functionName, localEsbuild, runEsbuild, samFunctions } from './sam-esbuild.mjs';

// The sql hook scripts and the hooks configurations become TypeScript modules (committed, so `sam build`
// bundles the same ones).
writeSqlModule();
writeConfigsModule();

const built = [];
for (const { properties } of samFunctions()) {
  const outdir = `dist/${functionName(properties)}`;
  rmSync(outdir, { recursive: true, force: true });
  process.stderr.write(runEsbuild(localEsbuild('.'), properties, { cwd: '.', outdir }));
  built.push(`${outdir}/handler.mjs`);
}
console.log(`built ${built.join(', ')}`);
