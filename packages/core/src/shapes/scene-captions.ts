/**
 * Five reference captions per shapes scene from a small grammar. Every caption names every
 * object by colour and kind ("red circle", or "two red circles" for a repeated look), in
 * left-to-right order (or the pair's relation order); paraphrases vary the size words, the
 * relation phrasing ("to the left of" / "to the right of" / "next to" / "above" / "below")
 * and whether the background is mentioned. All lower case, no punctuation except the comma
 * of a three-item list.
 */
import { pluralOf, type ShapeObject, type ShapeScene } from './shape-scene.js';

export const CAPTIONS_PER_SCENE = 5;

const COUNT_WORDS = ['', 'a', 'two', 'three'] as const;

/** "a" / "an" for the word that follows. */
function article(next: string): string {
  return /^[aeiou]/.test(next) ? 'an' : 'a';
}

/** "a red circle" / "a large red circle" / "an orange star". */
function nounPhrase(o: ShapeObject, withSize: boolean): string {
  const words = `${withSize ? `${o.size} ` : ''}${o.color} ${o.kind}`;
  return `${article(words)} ${words}`;
}

interface Group {
  readonly first: ShapeObject;
  readonly count: number;
  /** All members share one size. */
  readonly sameSize: boolean;
}

/** Objects of one colour and kind, in order of first appearance. */
function groupsOf(objects: readonly ShapeObject[]): Group[] {
  const groups: { first: ShapeObject; members: ShapeObject[] }[] = [];
  for (const o of objects) {
    const g = groups.find((x) => x.first.kind === o.kind && x.first.color === o.color);
    if (g) g.members.push(o);
    else groups.push({ first: o, members: [o] });
  }
  return groups.map((g) => ({ first: g.first, count: g.members.length, sameSize: g.members.every((m) => m.size === g.first.size) }));
}

function groupPhrase(g: Group, withSize: boolean): string {
  if (g.count === 1) return nounPhrase(g.first, withSize);
  const size = withSize && g.sameSize ? `${g.first.size} ` : '';
  return `${COUNT_WORDS[g.count]} ${size}${g.first.color} ${pluralOf(g.first.kind)}`;
}

/** "A", "A and B", "A, B and C". */
function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The scene's five reference captions (deterministic: a function of the scene only). */
export function captionScene(scene: ShapeScene): string[] {
  const bg = `${scene.background.color} background`;
  const onBg = `on a ${bg}`;
  const objs = scene.objects;
  const groups = groupsOf(objs);
  if (objs.length === 2 && groups.length === 2 && scene.relation) {
    const [a, b] = objs as [ShapeObject, ShapeObject];
    const np = nounPhrase;
    if (scene.relation === 'left-of') {
      return [
        `${np(a, false)} to the left of ${np(b, false)}`,
        `${np(b, false)} to the right of ${np(a, false)}`,
        `${np(a, true)} and ${np(b, true)}`,
        `${np(a, false)} next to ${np(b, false)}`,
        `${np(a, false)} to the left of ${np(b, false)} ${onBg}`,
      ];
    }
    return [
      `${np(a, false)} above ${np(b, false)}`,
      `${np(b, false)} below ${np(a, false)}`,
      `${np(a, true)} and ${np(b, true)}`,
      `${np(a, true)} above ${np(b, true)}`,
      `${np(a, false)} above ${np(b, false)} ${onBg}`,
    ];
  }
  const plain = list(groups.map((g) => groupPhrase(g, false)));
  const sized = list(groups.map((g) => groupPhrase(g, true)));
  return [sized, `${plain} ${onBg}`, plain, `a ${bg} with ${sized}`, `${sized} ${onBg}`];
}

/** Every word the grammar can produce (for tokenizer vocabularies and tests). */
export function shapesVocabulary(): string[] {
  return [
    ...new Set(
      [
        'a an two three and with on background to the left right of next above below',
        'small large',
        'red green blue yellow purple orange',
        'white black gray',
        'circle square triangle star diamond circles squares triangles stars diamonds',
      ]
        .join(' ')
        .split(' '),
    ),
  ];
}
