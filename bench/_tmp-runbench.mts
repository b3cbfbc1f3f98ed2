import { runFitBench } from './fit-bench.js';
import { formatTable } from './bench-result.js';
const r = await runFitBench(process.argv[2] === 'quick');
console.log(formatTable(r));
console.log(JSON.stringify(r.map(x => [x.name, x.extra])));
