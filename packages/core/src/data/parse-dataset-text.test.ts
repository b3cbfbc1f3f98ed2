/** Every dataset file format: valid input, and each kind of bad input → its one-line message. */
import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { recordsOf } from './caption-dataset.js';
import { parseDatasetText } from './parse-dataset-text.js';

const root = '/data/root';
const parse = (file: string, value: unknown) =>
  parseDatasetText(typeof value === 'string' ? value : JSON.stringify(value), {
    file,
    imageRoot: root,
  });

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CaptuneError);
    const text = (error as Error).message;
    expect(text).not.toContain('\n');
    return text;
  }
  throw new Error('expected a CaptuneError');
}

const karpathy = {
  images: [
    {
      filepath: 'val2014',
      filename: 'COCO_val2014_000000391895.jpg',
      imgid: 0,
      split: 'test',
      sentences: [
        { raw: 'A man riding a bike.', tokens: ['a', 'man', 'riding', 'a', 'bike'] },
        { raw: 'A person on a bicycle.', tokens: ['a', 'person'] },
      ],
      cocoid: 391895,
    },
    { filename: '1000092795.jpg', imgid: 1, split: 'restval', sentences: [{ raw: 'Two dogs.' }] },
    { filepath: 'train2014', filename: 'b.jpg', imgid: 2, split: 'train', sentences: [] },
  ],
  dataset: 'coco',
};

describe('Karpathy split JSON', () => {
  it('reads records: path root/filepath/filename, id cocoid ?? imgid, splits', () => {
    const d = parse('dataset_coco.json', karpathy);
    expect(d.format).toBe('karpathy');
    expect(d.records).toEqual([
      {
        id: '391895',
        image: '/data/root/val2014/COCO_val2014_000000391895.jpg',
        captions: ['A man riding a bike.', 'A person on a bicycle.'],
        split: 'test',
      },
      { id: '1', image: '/data/root/1000092795.jpg', captions: ['Two dogs.'], split: 'restval' },
      { id: '2', image: '/data/root/train2014/b.jpg', captions: [], split: 'train' },
    ]);
    expect(recordsOf(d, 'train').map((r) => r.id)).toEqual(['1', '2']);
  });

  const bad = (patch: (j: typeof karpathy) => void) => {
    const j = structuredClone(karpathy) as typeof karpathy;
    patch(j);
    return message(() => parse('dataset_coco.json', j));
  };

  it('names file, record and field for each bad input', () => {
    expect(bad((j) => ((j.images[0]!.sentences[1] as { raw: unknown }).raw = 5))).toBe(
      'dataset_coco.json: images[0].sentences[1].raw: expected a string, got 5',
    );
    expect(bad((j) => delete (j.images[2] as { filename?: string }).filename)).toBe(
      'dataset_coco.json: images[2].filename: expected a non-empty string, got nothing (the key is missing)',
    );
    expect(bad((j) => ((j.images[1] as { split: string }).split = 'dev'))).toBe(
      'dataset_coco.json: images[1].split: expected one of train, val, test, restval, unknown, got "dev"',
    );
    expect(bad((j) => ((j.images[1] as { imgid: unknown }).imgid = -1))).toBe(
      'dataset_coco.json: images[1].imgid: expected a non-negative integer, got -1',
    );
    expect(bad((j) => ((j.images[1] as { imgid: unknown }).imgid = [1]))).toBe(
      'dataset_coco.json: images[1].imgid: expected an id (a non-negative integer or a non-empty string), got [1]',
    );
    expect(bad((j) => ((j.images[1] as { sentences: unknown }).sentences = 'x'))).toBe(
      'dataset_coco.json: images[1].sentences: expected an array of sentence objects, got "x"',
    );
    expect(bad((j) => ((j.images[2] as { filename: string }).filename = '../../etc/passwd'))).toBe(
      'dataset_coco.json: images[2]: image path "train2014/../../etc/passwd" leaves the image root (a ".." climbs above it)',
    );
    expect(bad((j) => ((j.images[2] as { cocoid?: number }).cocoid = 391895))).toBe(
      'dataset_coco.json: images[2]: duplicate id "391895" (also dataset_coco.json: images[0])',
    );
  });
});

const coco = {
  info: {},
  images: [
    { id: 9, file_name: 'COCO_train2014_000000000009.jpg', width: 640, height: 480 },
    { id: 25, file_name: 'COCO_train2014_000000000025.jpg' },
  ],
  annotations: [
    { image_id: 9, id: 1, caption: 'Food in bowls.' },
    { image_id: 25, id: 2, caption: 'A giraffe.' },
    { image_id: 9, id: 3, caption: 'A meal.' },
  ],
};

describe('COCO caption annotations', () => {
  it('groups annotations by image, split from the file name', () => {
    const d = parse('annotations/captions_train2014.json', coco);
    expect(d.format).toBe('coco');
    expect(d.records).toEqual([
      {
        id: '9',
        image: '/data/root/COCO_train2014_000000000009.jpg',
        captions: ['Food in bowls.', 'A meal.'],
        split: 'train',
      },
      {
        id: '25',
        image: '/data/root/COCO_train2014_000000000025.jpg',
        captions: ['A giraffe.'],
        split: 'train',
      },
    ]);
  });

  it('reads an image list without annotations (test set) as records without captions', () => {
    const d = parse('image_info_test2014.json', { images: coco.images });
    expect(d.records.map((r) => [r.captions.length, r.split])).toEqual([
      [0, 'test'],
      [0, 'test'],
    ]);
  });

  it('names the bad annotation or image', () => {
    const j = structuredClone(coco);
    j.annotations[1]!.image_id = 77;
    expect(message(() => parse('captions_val2014.json', j))).toBe(
      'captions_val2014.json: annotations[1].image_id: no image with id 77 in "images"',
    );
    const k = structuredClone(coco) as { images: { id: unknown }[] };
    k.images[1]!.id = 9;
    expect(message(() => parse('captions_val2014.json', k))).toBe(
      'captions_val2014.json: images[1].id: duplicate id 9 (also images[0])',
    );
    const m = structuredClone(coco) as { annotations: { caption: unknown }[] };
    m.annotations[2]!.caption = null;
    expect(message(() => parse('captions_val2014.json', m))).toBe(
      'captions_val2014.json: annotations[2].caption: expected a string, got null',
    );
    expect(
      message(() => parse('captions_val2014.json', { images: [{ id: 1, file_name: '/abs.jpg' }] })),
    ).toBe(
      'captions_val2014.json: images[0]: image path "/abs.jpg" is absolute; image paths must be relative to the image root',
    );
  });
});

const nocaps = {
  licenses: [],
  info: {},
  images: [
    {
      id: 0,
      file_name: '0013ea2087020901.jpg',
      open_images_id: '0013ea2087020901',
      height: 1024,
      width: 732,
      domain: 'in-domain',
    },
    {
      id: 1,
      file_name: '0031b75d5e3d8bd4.jpg',
      open_images_id: '0031b75d5e3d8bd4',
      domain: 'out-domain',
    },
  ],
  annotations: [
    { image_id: 0, id: 0, caption: 'A baby is standing.' },
    { image_id: 1, id: 1, caption: 'A bowl of food.' },
  ],
};

describe('NoCaps validation JSON', () => {
  it('keeps the domain as record metadata', () => {
    const d = parse('nocaps_val_4500_captions.json', nocaps);
    expect(d.format).toBe('nocaps');
    expect(d.records.map((r) => [r.id, r.domain, r.split, r.captions])).toEqual([
      ['0', 'in-domain', 'val', ['A baby is standing.']],
      ['1', 'out-domain', 'val', ['A bowl of food.']],
    ]);
  });

  it('refuses an unknown domain', () => {
    const j = structuredClone(nocaps);
    j.images[1]!.domain = 'far-domain';
    expect(message(() => parse('nocaps_val_4500_captions.json', j))).toBe(
      'nocaps_val_4500_captions.json: images[1].domain: expected one of in-domain, near-domain, out-domain, got "far-domain"',
    );
  });
});

describe('JSONL pairs', () => {
  it('reads caption or captions, split and id; merges rows of one image', () => {
    const text = [
      '{"image": "imgs/a.png", "caption": "a red circle"}',
      '',
      '{"image": "imgs/./a.png", "captions": ["a circle", ""], "split": "train"}',
      '{"image": "b.png", "captions": [], "id": 7}',
    ].join('\n');
    const d = parse('pairs.jsonl', text);
    expect(d.format).toBe('jsonl');
    expect(d.records).toEqual([
      {
        id: 'imgs/a.png',
        image: '/data/root/imgs/a.png',
        captions: ['a red circle', 'a circle'],
        split: 'train',
      },
      { id: '7', image: '/data/root/b.png', captions: [], split: 'unknown' },
    ]);
  });

  it.each([
    ['{"image": "a.png", "caption": 3}', 'pairs.jsonl: line 1: caption: expected a string, got 3'],
    [
      '{"caption": "x"}',
      'pairs.jsonl: line 1: image: expected a non-empty string, got nothing (the key is missing)',
    ],
    [
      '{"image": "a.png", "capton": "x"}',
      'pairs.jsonl: line 1: unknown key "capton" (expected image, caption or captions, split, id)',
    ],
    [
      '{"image": "a.png", "caption": "x", "captions": ["y"]}',
      'pairs.jsonl: line 1: give "caption" or "captions", not both',
    ],
    [
      '{"image": "a.png"}\n{"image": "../a.png"}',
      'pairs.jsonl: line 2: image path "../a.png" leaves the image root',
    ],
    ['{"image": "a.png"', 'pairs.jsonl: line 1: not valid JSON'],
    [
      '{"image": "a.png", "split": "train"}\n{"image": "a.png", "split": "val"}',
      'pairs.jsonl: line 2: split "val" for a.png, but line 1 gives "train"',
    ],
    [
      '{"image": "a.png", "id": "x"}\n{"image": "b.png", "id": "x"}',
      'pairs.jsonl: line 2: duplicate id "x" (also pairs.jsonl: line 1)',
    ],
  ])('bad line %j', (text, want) => {
    expect(message(() => parse('pairs.jsonl', text))).toContain(want);
  });
});

describe('CSV pairs', () => {
  it('reads quoted captions, merges rows of one image, optional split column', () => {
    const text =
      'image,caption,split\r\na.png,"a dog, running",train\r\na.png,"the ""best"" dog",train\r\n"b, c.png",,val\r\n';
    const d = parse('pairs.csv', text);
    expect(d.format).toBe('csv');
    expect(d.records).toEqual([
      {
        id: 'a.png',
        image: '/data/root/a.png',
        captions: ['a dog, running', 'the "best" dog'],
        split: 'train',
      },
      { id: 'b, c.png', image: '/data/root/b, c.png', captions: [], split: 'val' },
    ]);
  });

  it.each([
    ['image,captoin\na.png,x\n', 'pairs.csv: line 1: unknown column "captoin" in the header'],
    ['caption\nx\n', 'pairs.csv: line 1: the header has no "image" column'],
    ['image,caption\na.png,x,extra\n', 'pairs.csv: line 2: has 3 fields, the header has 2'],
    [
      'image,caption,split\na.png,x,dev\n',
      'pairs.csv: line 2: split: expected one of train, val, test, restval, unknown, got "dev"',
    ],
    ['image,caption\n/etc/x.png,y\n', 'pairs.csv: line 2: image path "/etc/x.png" is absolute'],
    ['image,caption\n,y\n', 'pairs.csv: line 2: image: expected a non-empty path'],
    ['', 'pairs.csv: empty CSV file'],
  ])('bad CSV %j', (text, want) => {
    expect(message(() => parse('pairs.csv', text))).toContain(want);
  });
});

describe('format detection', () => {
  it('detects by extension, JSON layout and content', () => {
    expect(parse('x.json', karpathy).format).toBe('karpathy');
    expect(parse('x.json', coco).format).toBe('coco');
    expect(parse('x.json', nocaps).format).toBe('nocaps');
    expect(parse('pairs.txt', '{"image": "a.png", "caption": "x"}\n').format).toBe('jsonl');
    expect(parse('pairs.txt', 'image,caption\na.png,x\n').format).toBe('csv');
    expect(parse('data', karpathy).format).toBe('karpathy');
  });

  it('says what it can read when it cannot tell', () => {
    expect(message(() => parse('x.json', { foo: 1 }))).toMatch(
      /^x\.json: cannot tell the dataset format: expected \{"images": \[\.\.\.\]\}/,
    );
    expect(message(() => parse('notes.txt', 'hello world'))).toMatch(
      /^notes\.txt: cannot tell the dataset format from the file name or contents \(.*pass --format/,
    );
    expect(message(() => parse('x.json', '{oops'))).toMatch(/^x\.json: not valid JSON/);
  });
});
