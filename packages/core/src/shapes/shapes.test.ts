import { describe, expect, it } from 'vitest';
import { generateScene, sceneSeed } from './generate-scene.js';
import { captionScene, CAPTIONS_PER_SCENE, shapesVocabulary } from './scene-captions.js';
import { backgroundPixels, sceneToSvg } from './scene-svg.js';
import { pluralOf, SHAPE_COLORS, SHAPE_KINDS } from './shape-scene.js';
import { shapesSplits } from './shapes-splits.js';

const scenes = Array.from({ length: 400 }, (_, i) => generateScene(3, i));

describe('shapes scenes', () => {
  it('are a pure function of (seed, index)', () => {
    expect(generateScene(3, 17)).toEqual(scenes[17]);
    expect(captionScene(generateScene(3, 17))).toEqual(captionScene(scenes[17]!));
    expect(generateScene(4, 17)).not.toEqual(scenes[17]);
    expect(sceneSeed(3, 1)).not.toBe(sceneSeed(3, 2));
  });

  it('cover every kind, colour and count, inside the image, without overlaps', () => {
    const kinds = new Set(scenes.flatMap((s) => s.objects.map((o) => o.kind)));
    const colors = new Set(scenes.flatMap((s) => s.objects.map((o) => o.color)));
    expect([...kinds].sort()).toEqual([...SHAPE_KINDS].sort());
    expect([...colors].sort()).toEqual([...SHAPE_COLORS].sort());
    expect(new Set(scenes.map((s) => s.objects.length))).toEqual(new Set([1, 2, 3]));
    for (const s of scenes) {
      for (const o of s.objects) {
        expect(o.x - o.r).toBeGreaterThan(0);
        expect(o.x + o.r).toBeLessThan(1);
        expect(o.y - o.r).toBeGreaterThan(0);
        expect(o.y + o.r).toBeLessThan(1);
      }
      s.objects.forEach((a, i) =>
        s.objects.slice(i + 1).forEach((b) => expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThan(a.r + b.r)),
      );
    }
  });

  it('place pairs as their relation says', () => {
    const pairs = scenes.filter((s) => s.relation);
    expect(pairs.length).toBeGreaterThan(50);
    for (const s of pairs) {
      const [a, b] = s.objects;
      const [along, across] = s.relation === 'left-of' ? ['x', 'y'] as const : ['y', 'x'] as const;
      const d = b![along] - a![along];
      expect(d).toBeGreaterThan(a!.r + b!.r);
      expect(Math.abs(b![across] - a![across])).toBeLessThan(d);
    }
  });
});

describe('shapes captions', () => {
  it('give five distinct captions that name every object by colour and kind', () => {
    for (const s of scenes) {
      const caps = captionScene(s);
      expect(caps).toHaveLength(CAPTIONS_PER_SCENE);
      expect(new Set(caps).size).toBe(CAPTIONS_PER_SCENE);
      for (const c of caps) {
        for (const o of s.objects) {
          const same = s.objects.filter((p) => p.kind === o.kind && p.color === o.color).length;
          const phrase = same === 1 ? new RegExp(`\\b${o.color} ${o.kind}\\b`) : new RegExp(`\\b(two|three) (small |large )?${o.color} ${pluralOf(o.kind)}\\b`);
          expect(c).toMatch(phrase);
        }
      }
    }
  });

  it('use only the grammar vocabulary, with "an" before a vowel', () => {
    const vocab = new Set(shapesVocabulary());
    for (const s of scenes) {
      for (const c of captionScene(s)) {
        for (const w of c.replace(',', '').split(' ')) expect(vocab.has(w), `"${w}" in "${c}"`).toBe(true);
        expect(c).not.toMatch(/\ba orange\b|\ban (red|green|blue|yellow|purple|small|large)\b/);
      }
    }
  });

  it('phrase relations, counts and the background', () => {
    const left = scenes.find((s) => s.relation === 'left-of' && s.objects[0]!.kind !== s.objects[1]!.kind)!;
    const [a, b] = left.objects;
    const caps = captionScene(left);
    expect(caps[0]).toMatch(new RegExp(`^an? ${a!.color} ${a!.kind} to the left of an? ${b!.color} ${b!.kind}$`));
    expect(caps[1]).toMatch(new RegExp(`^an? ${b!.color} ${b!.kind} to the right of an? ${a!.color} ${a!.kind}$`));
    expect(caps[4]).toMatch(new RegExp(`on a ${left.background.color} background$`));
    const three = scenes.find((s) => s.objects.length === 3 && s.objects.every((o) => o.kind === s.objects[0]!.kind && o.color === s.objects[0]!.color))!;
    expect(captionScene(three)[2]).toBe(`three ${three.objects[0]!.color} ${pluralOf(three.objects[0]!.kind)}`);
  });
});

describe('shapes drawing (browser-safe parts)', () => {
  it('writes one SVG element per object with its colour', () => {
    const s = scenes.find((x) => x.objects.length === 3)!;
    const svg = sceneToSvg(s, 96);
    expect(svg.match(/<g /g)).toHaveLength(3);
    for (const o of s.objects) expect(svg).toContain(`fill="rgb(${o.rgb.join(',')})"`);
  });

  it('makes solid, gradient and noisy backgrounds deterministically', () => {
    const byStyle = (style: string) => scenes.find((s) => s.background.style === style)!.background;
    const solid = backgroundPixels(byStyle('solid'), 16);
    expect(new Set(solid).size).toBeLessThanOrEqual(3);
    const grad = byStyle('gradient');
    const g = backgroundPixels(grad, 16);
    const last = grad.direction === 'horizontal' ? 15 * 3 : 15 * 16 * 3;
    expect(Math.abs(g[last]! - g[0]!)).toBeGreaterThan(20);
    const noisy = byStyle('noise');
    expect(backgroundPixels(noisy, 16)).toEqual(backgroundPixels(noisy, 16));
    expect(new Set(backgroundPixels(noisy, 16)).size).toBeGreaterThan(10);
  });
});

describe('shapes splits', () => {
  it('are disjoint, exact in size and seeded', () => {
    const s = shapesSplits(1000, 5);
    expect(s.filter((x) => x === 'val')).toHaveLength(100);
    expect(s.filter((x) => x === 'test')).toHaveLength(100);
    expect(s.filter((x) => x === 'train')).toHaveLength(800);
    expect(shapesSplits(1000, 5)).toEqual(s);
    expect(shapesSplits(1000, 6)).not.toEqual(s);
    expect(shapesSplits(3, 0).sort()).toEqual(['test', 'train', 'val']);
  });

  it('rejects impossible fractions with a clear error', () => {
    expect(() => shapesSplits(10, 0, { val: 0.6, test: 0.5 })).toThrow('shapes splits: val 0.6 and test 0.5 must be ≥ 0 and sum to less than 1');
    expect(() => shapesSplits(0, 0)).toThrow('count must be a positive integer');
  });
});
