import { describe, expect, it } from 'vitest';
import { generateScene } from '../shapes/generate-scene.js';
import { captionScene } from '../shapes/scene-captions.js';
import type { ShapeScene } from '../shapes/shape-scene.js';
import { shapesCaptionAccuracy, shapesCaptionMatch } from './shapes-caption-check.js';

/** The first scene of seed 0 with exactly `n` objects of distinct kinds and colours. */
function sceneWith(n: number): ShapeScene {
  for (let i = 0; ; i++) {
    const s = generateScene(0, i);
    const kinds = new Set(s.objects.map((o) => o.kind));
    const colours = new Set(s.objects.map((o) => o.color));
    if (s.objects.length === n && kinds.size === n && colours.size === n) return s;
  }
}

describe('shapesCaptionMatch', () => {
  it('accepts every reference caption of generated scenes', () => {
    for (let i = 0; i < 200; i++) {
      const scene = generateScene(3, i);
      for (const c of captionScene(scene))
        expect(shapesCaptionMatch(c, scene), `${c}`).toEqual({
          exact: true,
          colours: true,
          kinds: true,
        });
    }
  });

  it('tells colours, kinds and pairs apart', () => {
    const s = sceneWith(2);
    const [a, b] = s.objects as [ShapeScene['objects'][0], ShapeScene['objects'][0]];
    const right = `a ${a.color} ${a.kind} and a ${b.color} ${b.kind}`;
    expect(shapesCaptionMatch(right, s)).toEqual({ exact: true, colours: true, kinds: true });
    // Swapped colours: the sets of colours and kinds are right, the pairs are not.
    expect(shapesCaptionMatch(`a ${b.color} ${a.kind} and a ${a.color} ${b.kind}`, s)).toEqual({
      exact: false,
      colours: true,
      kinds: true,
    });
    // One object only.
    expect(shapesCaptionMatch(`a large ${a.color} ${a.kind}`, s)).toEqual({
      exact: false,
      colours: false,
      kinds: false,
    });
    // A kind it does not have, plural.
    const other = (['circle', 'square', 'triangle', 'star', 'diamond'] as const).find(
      (k) => k !== a.kind && k !== b.kind,
    )!;
    expect(shapesCaptionMatch(`two ${a.color} ${other}s and a ${b.color} ${b.kind}`, s)).toEqual({
      exact: false,
      colours: true,
      kinds: false,
    });
    expect(shapesCaptionMatch('a white background', s)).toEqual({
      exact: false,
      colours: false,
      kinds: false,
    });
  });

  it('gives the shares over many captions', () => {
    const s = sceneWith(1);
    const o = s.objects[0]!;
    const acc = shapesCaptionAccuracy([
      { caption: `a ${o.color} ${o.kind}`, scene: s },
      { caption: `a ${o.color} blob`, scene: s },
      { caption: 'nothing', scene: s },
      { caption: `a ${o.kind}`, scene: s },
    ]);
    expect(acc).toEqual({ exact: 0.25, colours: 0.5, kinds: 0.5, images: 4 });
    expect(shapesCaptionAccuracy([])).toEqual({ exact: 0, colours: 0, kinds: 0, images: 0 });
  });
});
