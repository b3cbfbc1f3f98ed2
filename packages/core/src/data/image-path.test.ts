import { describe, expect, it } from 'vitest';
import { joinImagePath, normalizeImagePath, resolveImagePath } from './image-path.js';

describe('image paths inside the image root', () => {
  it('normalises . and inner .. segments and both separators', () => {
    expect(normalizeImagePath('train2014/./x/../a.jpg', 'f: images[0]')).toBe('train2014/a.jpg');
    expect(normalizeImagePath('a\\b//c.png', 'w')).toBe('a/b/c.png');
  });

  it.each([
    ['/etc/passwd', 'is absolute'],
    ['\\\\server\\share\\a.jpg', 'is absolute'],
    ['C:\\x.jpg', 'is absolute'],
    ['c:x.jpg', 'is absolute'],
    ['../secret.jpg', 'leaves the image root'],
    ['a/../../b.jpg', 'leaves the image root'],
    ['a/..', 'names the image root itself'],
    ['', 'is empty'],
  ])('refuses %j naming the record', (rel, problem) => {
    expect(() => normalizeImagePath(rel, 'data.jsonl: line 4')).toThrow(
      `data.jsonl: line 4: image path ${JSON.stringify(rel)} ${problem}`,
    );
  });

  it('joins in the root style', () => {
    expect(joinImagePath('/data/coco/', 'train2014/a.jpg')).toBe('/data/coco/train2014/a.jpg');
    expect(joinImagePath('C:\\data', 'x/a.jpg')).toBe('C:\\data\\x\\a.jpg');
    expect(resolveImagePath('/r', 'x/./y.png', 'w')).toBe('/r/x/y.png');
  });
});
