/**
 * `captune doctor`: this machine (Node, platform, CPU, memory) and every backend × device
 * with its availability, and for each unavailable one why and how to get it
 * (core's `BackendRegistry.report()` over the modules in ../backends.ts).
 */
import { cpus, freemem, totalmem } from 'node:os';
import { parseCommandArgs, UsageError, type Command } from '../command.js';

export interface DoctorReport {
  readonly system: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpu: string;
    readonly cores: number;
    readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
  };
  readonly backends: readonly {
    readonly backend: string;
    readonly device: string;
    readonly available: boolean;
    readonly detail?: string;
    readonly reason?: string;
    readonly remedy?: string;
  }[];
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'List every backend and device with its availability, and this machine.',
  usage: 'captune doctor [--json]',
  help: `options:
  --json      print the report as JSON: {"system": {...}, "backends": [{"backend", "device", "available", ...}]}
  -h, --help  show this help`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, { json: { type: 'boolean' } });
    if (!parsed) return 0;
    if (parsed.positionals.length > 0) {
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
    }
    const report = await doctorReport();
    process.stdout.write(
      parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
    );
    return 0;
  },
};

export async function doctorReport(): Promise<DoctorReport> {
  // Loaded here, not at startup: backend modules pull in their runtimes.
  const { createBackendRegistry } = await import('@captune/core');
  const { backendModules } = await import('../backends.js');
  const rows = await createBackendRegistry(backendModules).report();
  const cpu = cpus();
  return {
    system: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memory: { totalBytes: totalmem(), freeBytes: freemem() },
    },
    backends: rows.map((r) =>
      r.availability.available
        ? {
            backend: r.backend,
            device: r.device,
            available: true,
            ...(r.availability.detail ? { detail: r.availability.detail } : {}),
          }
        : {
            backend: r.backend,
            device: r.device,
            available: false,
            reason: r.availability.reason,
            remedy: r.availability.remedy,
          },
    ),
  };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function formatReport(report: DoctorReport): string {
  const s = report.system;
  const lines = [
    'system',
    `  node      ${s.node}`,
    `  platform  ${s.platform} ${s.arch}`,
    `  cpu       ${s.cpu} (${s.cores} cores)`,
    `  memory    ${gib(s.memory.totalBytes)} total, ${gib(s.memory.freeBytes)} free`,
    '',
    'backends',
  ];
  const bw = Math.max(...report.backends.map((b) => b.backend.length));
  const dw = Math.max(...report.backends.map((b) => b.device.length));
  for (const b of report.backends) {
    const head = `  ${b.backend.padEnd(bw)}  ${b.device.padEnd(dw)}  `;
    if (b.available) {
      lines.push(`${head}available${b.detail ? `  (${b.detail})` : ''}`);
    } else {
      lines.push(`${head}unavailable: ${b.reason}`);
      lines.push(`${' '.repeat(head.length)}remedy: ${b.remedy}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
