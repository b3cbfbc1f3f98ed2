/**
 * Resolving a dataset's relative image paths inside its image root, lexically (browser-safe:
 * no file system). Absolute paths (`/x`, `\x`, `C:\x`, `C:x`) and paths whose `..` segments
 * climb above the root are refused; `\` counts as a separator, as it does on Windows. Symlinks
 * that leave the root are caught later, when the extractor opens the file.
 */
import { CaptuneError } from '../errors/captune-error.js';

/**
 * The normalised relative path (`/`-separated, no `.`/`..`/empty segments) of `rel`, or a
 * CaptuneError `<where>: image path "<rel>" <problem>`.
 */
export function normalizeImagePath(rel: string, where: string): string {
  const fail = (problem: string): never => {
    throw new CaptuneError(`${where}: image path ${JSON.stringify(rel)} ${problem}`);
  };
  if (rel.length === 0) fail('is empty');
  if (rel.includes('\0')) fail('contains a NUL character');
  if (/^[\\/]/.test(rel) || /^[A-Za-z]:/.test(rel))
    fail('is absolute; image paths must be relative to the image root');
  const parts: string[] = [];
  for (const segment of rel.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) fail('leaves the image root (a ".." climbs above it)');
      parts.pop();
    } else parts.push(segment);
  }
  if (parts.length === 0) fail('names the image root itself, not a file');
  return parts.join('/');
}

/** `root` joined with an already normalised relative path, in the root's separator style. */
export function joinImagePath(root: string, normalizedRel: string): string {
  const windows = root.includes('\\') && !root.includes('/');
  const sep = windows ? '\\' : '/';
  const base = root.replace(/[\\/]+$/, '');
  const rel = windows ? normalizedRel.replaceAll('/', '\\') : normalizedRel;
  return `${base}${sep}${rel}`;
}

/** Checks and resolves `rel` inside `root`. */
export function resolveImagePath(root: string, rel: string, where: string): string {
  return joinImagePath(root, normalizeImagePath(rel, where));
}
