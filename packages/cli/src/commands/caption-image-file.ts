/**
 * Reads and decodes one input of `captune caption`: stat first (a directory, FIFO or device is
 * refused before reading: a FIFO would block), a 256 MiB size cap, then core's sharp decoder
 * (decompression-bomb guard, RGB output). Every problem is a one-line CaptuneError naming the
 * file, so a bad input never stops the batch.
 */
import type { decodeImage } from '@captune/core/node';
import type { Image8 } from '@captune/core';

/** Why a file could not be read, in a few words (Node's message repeats the path). */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a parent of the path is not a folder',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the name is too long',
  };
  return (code && known[code]) ?? (error as Error).message.split('\n')[0]!;
}

/** Reads and decodes an image file; every problem is a CaptuneError naming the file. */
export async function readCaptionImage(path: string, decode: typeof decodeImage): Promise<Image8> {
  const { readFile, stat } = await import('node:fs/promises');
  const { CaptuneError } = await import('@captune/core');
  let bytes: Buffer;
  try {
    // stat first: a FIFO or device would block or never end on readFile.
    const s = await stat(path);
    if (!s.isFile())
      throw new CaptuneError(
        `${path}: cannot read image: ${s.isDirectory() ? 'is a directory' : 'not a regular file'}`,
      );
    if (s.size > 256 * 2 ** 20)
      throw new CaptuneError(`${path}: file is ${s.size} bytes, above the limit of 256 MiB`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof CaptuneError) throw error;
    throw new CaptuneError(`${path}: cannot read image: ${readFailure(error)}`, { cause: error });
  }
  const img = await decode(bytes, path);
  if (img.channels === 3) return img;
  // decodeImage gives RGB; guard anyway so preprocessing never sees another layout.
  throw new CaptuneError(`${path}: decoded to ${img.channels} channels, expected RGB`);
}
