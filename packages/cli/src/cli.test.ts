import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const BIN = fileURLToPath(new URL('../bin/captune.js', import.meta.url));
const VOCAB = fileURLToPath(new URL('../../core/fixtures/vocab/', import.meta.url));
const clipDir = mkdtempSync(join(tmpdir(), 'captune-cli-clip-'));
copyFileSync(
  join(VOCAB, 'bpe_simple_vocab_16e6.txt.gz'),
  join(clipDir, 'bpe_simple_vocab_16e6.txt.gz'),
);
afterAll(() => rmSync(clipDir, { recursive: true, force: true }));

function captune(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('captune (spawned binary)', () => {
  it('--help lists the commands; no command is bad usage', () => {
    const r = captune('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}tokenize {2}/m);
    expect(r.stdout).toMatch(/^ {2}doctor {4}/m);
    expect(captune().code).toBe(2);
    const u = captune('frobnicate');
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('unknown command "frobnicate"');
  });

  it('tokenize prints one block per text (GPT-2)', () => {
    const r = captune('tokenize', '--tokenizer', VOCAB, 'A photo of a cat.', 'Hello world');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gpt2 tokenizer');
    expect(r.stdout).toContain(
      'text: "A photo of a cat."\nids (6): 32 4590 286 257 3797 13\ntokens: A Ġphoto Ġof Ġa Ġcat .\n',
    );
    expect(r.stdout).toContain('text: "Hello world"\nids (2): 15496 995\ntokens: Hello Ġworld\n');
  });

  it('tokenize --json gives the CLIP model input, padded like clip.tokenize(truncate=True)', () => {
    const r = captune(
      'tokenize',
      '-t',
      clipDir,
      '--json',
      '--context-length',
      '5',
      'a photo of a cat',
      'a cat',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { text: string; ids: number[]; tokens: string[] }[];
    expect(out).toEqual([
      {
        text: 'a photo of a cat',
        ids: [49406, 320, 1125, 539, 49407],
        tokens: ['<|startoftext|>', 'a</w>', 'photo</w>', 'of</w>', '<|endoftext|>'],
      },
      {
        text: 'a cat',
        ids: [49406, 320, 2368, 49407, 0],
        tokens: ['<|startoftext|>', 'a</w>', 'cat</w>', '<|endoftext|>', '!'],
      },
    ]);
  });

  it('tokenize -- takes texts that are empty or start with -', () => {
    const r = captune('tokenize', '-t', VOCAB, '--json', '--', '-x', '', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { text: string; ids: number[] }[];
    expect(out.map((x) => x.text)).toEqual(['-x', '', '--json']);
    expect(out[0]!.ids).toEqual([12, 87]);
    expect(out[1]!.ids).toEqual([]);
  });

  it('an unknown flag is bad usage: exit 2 with the problem and the usage line', () => {
    const r = captune('tokenize', '--bogus', '-t', VOCAB, 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "captune tokenize: Unknown option '--bogus'\nusage: captune tokenize --tokenizer <folder> [--context-length N] [--json] [--] TEXT...\n",
    );
    expect(captune('tokenize', 'x').code).toBe(2);
    expect(captune('tokenize', '-t', VOCAB, '--context-length', 'ten', 'x').code).toBe(2);
  });

  it('a missing tokenizer folder fails with exit 1 and one line, no stack', () => {
    const missing = join(clipDir, 'nope');
    const r = captune('tokenize', '-t', missing, 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`captune tokenize: ${missing}: no such folder\n`);
    expect(r.stdout).toBe('');
  });

  it('tokenize --help exits 0 with the usage', () => {
    const r = captune('tokenize', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: captune tokenize --tokenizer <folder>/);
  });

  it('doctor --json reports the machine and every backend × device', () => {
    const r = captune('doctor', '--json');
    expect(r.code).toBe(0);
    const Row = z.union([
      z
        .object({
          backend: z.string(),
          device: z.string(),
          available: z.literal(true),
          detail: z.string().optional(),
        })
        .strict(),
      z
        .object({
          backend: z.string(),
          device: z.string(),
          available: z.literal(false),
          reason: z.string().min(1),
          remedy: z.string().min(1),
        })
        .strict(),
    ]);
    const report = z
      .object({
        system: z.object({
          node: z.string().startsWith('v'),
          platform: z.string(),
          arch: z.string(),
          cpu: z.string(),
          cores: z.number().int().positive(),
          memory: z.object({
            totalBytes: z.number().positive(),
            freeBytes: z.number().nonnegative(),
          }),
        }),
        backends: z.array(Row),
      })
      .parse(JSON.parse(r.stdout));
    expect(new Set(report.backends.map((b) => b.backend))).toEqual(
      new Set(['tfjs', 'reference', 'onnx', 'webgpu']),
    );
    expect(report.backends.find((b) => b.backend === 'tfjs' && b.device === 'cpu')?.available).toBe(
      true,
    );
    expect(report.backends.find((b) => b.backend === 'reference')).toMatchObject({
      device: 'cpu',
      available: true,
    });
    for (const b of report.backends.filter((x) => x.backend === 'webgpu')) {
      expect(b).toMatchObject({
        available: false,
        reason: 'not implemented in this version of captune',
        remedy: 'use --backend tfjs',
      });
    }
  });
});
