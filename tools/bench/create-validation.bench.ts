// CPU per create-partner body through the request pipe, with the compiled pass check and with class-validator alone
// (the pipe before it), alternating rounds in one process.
// usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/create-validation.bench.ts [bodies per round]
import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { RequestValidationPipe } from '@as2-partners/platform';
import { CreatePartnerDto } from '../../libs/partner-registry/service/src/partner-settings/partner-settings.dto';
import type { ValidatorOptions } from 'class-validator';

/** The pipe with class-validator deciding every body, as before the compiled check. */
class ClassValidatorOnly extends RequestValidationPipe {
  protected override validate(object: object, options?: ValidatorOptions) {
    return ValidationPipe.prototype['validate'].call(this, object, options);
  }
}

const n = Number(process.argv[2] ?? 10000);
const body = (i: number) => ({ name: `Cpu Supplier ${i}`, as2_id: `CPU-${i}`, url: `https://as2.cpu-${i}.example.com/receive`, active: true, sign: true, encrypt: true });
const meta = { type: 'body' as const, metatype: CreatePartnerDto };

async function cpuPerBody(pipe: RequestValidationPipe): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await pipe.transform(body(i), meta);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

void (async () => {
  const pipes = { 'class-validator only': new ClassValidatorOnly(), 'compiled check': new RequestValidationPipe() };
  for (const pipe of Object.values(pipes)) await cpuPerBody(pipe); // warm-up
  for (let round = 1; round <= 3; round++) {
    const line = [];
    for (const [label, pipe] of Object.entries(pipes)) line.push(`${label} ${(await cpuPerBody(pipe)).toFixed(1)} µs`);
    process.stdout.write(`round ${round}: ${line.join(', ')} CPU per body\n`);
  }
})();
