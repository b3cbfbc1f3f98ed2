/**
 * A BPE vocabulary: token string ↔ id, validated (ids are non-negative integers, each used once).
 */
import { CaptuneError } from '../errors/captune-error.js';

export class TokenVocab {
  private readonly byToken: ReadonlyMap<string, number>;
  private readonly byId: ReadonlyMap<number, string>;
  /** Largest id + 1. */
  readonly size: number;

  /** `source` names where the entries came from, for error messages. */
  constructor(entries: Iterable<readonly [string, number]>, source: string) {
    const byToken = new Map<string, number>();
    const byId = new Map<number, string>();
    let max = -1;
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0) {
        throw new CaptuneError(
          `${source}: token ${JSON.stringify(token)} has id ${id}; ids must be non-negative integers`,
        );
      }
      const other = byId.get(id);
      if (other !== undefined) {
        throw new CaptuneError(
          `${source}: id ${id} is used by both ${JSON.stringify(other)} and ${JSON.stringify(token)}`,
        );
      }
      byToken.set(token, id);
      byId.set(id, token);
      if (id > max) max = id;
    }
    if (byToken.size === 0) throw new CaptuneError(`${source}: the vocabulary is empty`);
    this.byToken = byToken;
    this.byId = byId;
    this.size = max + 1;
  }

  id(token: string): number | undefined {
    return this.byToken.get(token);
  }

  token(id: number): string | undefined {
    return this.byId.get(id);
  }

  /** The token of `id`; throws a CaptuneError naming the id when the vocabulary has none. */
  tokenOf(id: number): string {
    const t = this.byId.get(id);
    if (t === undefined) {
      throw new CaptuneError(`token id ${id} is not in the vocabulary (ids 0..${this.size - 1})`);
    }
    return t;
  }

  /** The id of `token`, else of `unk`, else a CaptuneError naming the token. */
  idOrUnk(token: string, unk: number | undefined): number {
    const id = this.byToken.get(token);
    if (id !== undefined) return id;
    if (unk !== undefined) return unk;
    throw new CaptuneError(
      `token ${JSON.stringify(token)} is not in the vocabulary and it has no unknown token`,
    );
  }
}
